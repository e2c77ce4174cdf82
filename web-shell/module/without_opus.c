/*
 * The default web module leaves Ogg Opus to the Ogg module (see CMakeLists.txt): libopus is
 * 130 KB of code and tables. libsndfile's Ogg reader hands an Opus stream to this
 * function; defined here, it calls it an encoding this build does not read (the decoder's
 * `unsupported`, on which the page's worker tries the Ogg module), and the linker pulls no
 * libopus into the module. Ogg FLAC is still read here.
 */
#include <sndfile.h>

typedef struct sf_private_tag SF_PRIVATE; /* libsndfile's src/common.h, not a public header */

int ogg_opus_open(SF_PRIVATE *psf) { return SF_ERR_UNSUPPORTED_ENCODING; }
