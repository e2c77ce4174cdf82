/*
 * No module reads Ogg Vorbis through libvorbis: the Ogg module decodes it with FFmpeg's Vorbis
 * decoder, 1.5x faster in wasm (README, benchmark section), and the default module leaves Ogg
 * to the Ogg module. libsndfile's Ogg reader hands a Vorbis stream to this function; defined
 * here, it calls it an encoding this build does not read (the decoder's `unsupported`: the Ogg
 * module's decoder then tries FFmpeg, the default module's worker the Ogg module), and the
 * linker pulls no libvorbis into a module.
 */
#include <sndfile.h>

typedef struct sf_private_tag SF_PRIVATE; /* libsndfile's src/common.h, not a public header */

int ogg_vorbis_open(SF_PRIVATE *psf) { return SF_ERR_UNSUPPORTED_ENCODING; }
