/*
 * The web module only decodes (ta_open_source opens for reading), yet libsndfile's write paths
 * reach four encoders: LAME for MP3, the Opus and FLAC encoders, and libvorbisenc with its
 * tables. Defined here, the entry points those paths call fail the way an encoder that cannot
 * be set up fails, and the linker pulls none of the encoders' code or tables into the module
 * (what each cut saved is in the README's benchmark section).
 *
 * The prototypes come from the libraries' own headers, so a definition that stopped matching
 * would not compile; a stand-in left unused (the library no longer calls it) costs nothing, and
 * one that no longer keeps its encoder out shows as a duplicate symbol at link time. Their
 * parameters are unused by design (built with -Wno-unused-parameter).
 */
#include <FLAC/stream_encoder.h>
#include <opus/opus_multistream.h>
#include <sndfile.h>
#include <vorbis/codec.h>
#include <vorbis/vorbisenc.h>

#include <stdbool.h>
#include <stddef.h>

/* ---- MP3 (LAME): libsndfile's own encoder glue, src/mpeg.h (not a public header) ---------- */
typedef struct sf_private_tag SF_PRIVATE;

int mpeg_l3_encoder_init(SF_PRIVATE *psf, int info_tag)
{
    return SF_ERR_UNSUPPORTED_ENCODING;
}
int mpeg_l3_encoder_write_id3tag(SF_PRIVATE *psf) { return SF_ERR_UNSUPPORTED_ENCODING; }
int mpeg_l3_encoder_set_quality(SF_PRIVATE *psf, double compression) { return SF_FALSE; }
int mpeg_l3_encoder_set_bitrate_mode(SF_PRIVATE *psf, int mode) { return SF_FALSE; }
int mpeg_l3_encoder_get_bitrate_mode(SF_PRIVATE *psf) { return -1; }

/* ---- Opus ---------------------------------------------------------------------------------- */
OpusMSEncoder *opus_multistream_encoder_create(opus_int32 rate, int channels, int streams, int coupled_streams,
                                               const unsigned char *mapping, int application, int *error)
{
    if (error)
        *error = OPUS_UNIMPLEMENTED;
    return NULL;
}
OpusMSEncoder *opus_multistream_surround_encoder_create(opus_int32 rate, int channels, int mapping_family,
                                                        int *streams, int *coupled_streams, unsigned char *mapping,
                                                        int application, int *error)
{
    if (error)
        *error = OPUS_UNIMPLEMENTED;
    return NULL;
}
int opus_multistream_encode_float(OpusMSEncoder *st, const float *pcm, int frame_size, unsigned char *data,
                                  opus_int32 max_data_bytes)
{
    return OPUS_UNIMPLEMENTED;
}
int opus_multistream_encoder_ctl(OpusMSEncoder *st, int request, ...)
{
    return OPUS_UNIMPLEMENTED;
}
void opus_multistream_encoder_destroy(OpusMSEncoder *st) {}

/* ---- FLAC ---------------------------------------------------------------------------------- */
/* libsndfile names the status init_stream returned; this init only ever returns one. */
const char *const FLAC__StreamEncoderInitStatusString[] = {
    [FLAC__STREAM_ENCODER_INIT_STATUS_ENCODER_ERROR] = "FLAC__STREAM_ENCODER_INIT_STATUS_ENCODER_ERROR",
};
FLAC__StreamEncoder *FLAC__stream_encoder_new(void) { return NULL; }
void FLAC__stream_encoder_delete(FLAC__StreamEncoder *encoder) {}
FLAC__bool FLAC__stream_encoder_set_channels(FLAC__StreamEncoder *encoder, uint32_t value)
{
    return false;
}
FLAC__bool FLAC__stream_encoder_set_bits_per_sample(FLAC__StreamEncoder *encoder, uint32_t value)
{
    return false;
}
FLAC__bool FLAC__stream_encoder_set_sample_rate(FLAC__StreamEncoder *encoder, uint32_t value)
{
    return false;
}
FLAC__bool FLAC__stream_encoder_set_compression_level(FLAC__StreamEncoder *encoder, uint32_t value)
{
    return false;
}
FLAC__bool FLAC__stream_encoder_set_metadata(FLAC__StreamEncoder *encoder, FLAC__StreamMetadata **metadata,
                                             uint32_t num_blocks)
{
    return false;
}
FLAC__StreamEncoderInitStatus FLAC__stream_encoder_init_stream(FLAC__StreamEncoder *encoder,
                                                               FLAC__StreamEncoderWriteCallback write_callback,
                                                               FLAC__StreamEncoderSeekCallback seek_callback,
                                                               FLAC__StreamEncoderTellCallback tell_callback,
                                                               FLAC__StreamEncoderMetadataCallback metadata_callback,
                                                               void *client_data)
{
    return FLAC__STREAM_ENCODER_INIT_STATUS_ENCODER_ERROR;
}
FLAC__bool FLAC__stream_encoder_process_interleaved(FLAC__StreamEncoder *encoder, const FLAC__int32 buffer[],
                                                    uint32_t samples)
{
    return false;
}
FLAC__bool FLAC__stream_encoder_finish(FLAC__StreamEncoder *encoder)
{
    return false;
}

/* ---- Vorbis: libvorbisenc, and the analysis step of libvorbis ------------------------------ */
int vorbis_encode_init_vbr(vorbis_info *vi, long channels, long rate, float base_quality)
{
    return OV_EIMPL;
}
int vorbis_analysis(vorbis_block *vb, ogg_packet *op)
{
    return OV_EIMPL;
}
