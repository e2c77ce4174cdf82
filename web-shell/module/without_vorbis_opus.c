/*
 * The default web module leaves Ogg Vorbis and Opus to the Ogg module (see CMakeLists.txt):
 * libvorbis and libopus with their tables are a third of the module. libsndfile's Ogg reader
 * hands a Vorbis or Opus stream to these two; defined here, they call it an encoding this build
 * does not read (the decoder's `unsupported`, on which the page's worker tries the Ogg module),
 * and the linker pulls neither codec into the module. Ogg FLAC is still read here.
 */
#include <sndfile.h>

typedef struct sf_private_tag SF_PRIVATE; /* libsndfile's src/common.h, not a public header */

int ogg_vorbis_open(SF_PRIVATE *psf) { return SF_ERR_UNSUPPORTED_ENCODING; }
int ogg_opus_open(SF_PRIVATE *psf) { return SF_ERR_UNSUPPORTED_ENCODING; }
