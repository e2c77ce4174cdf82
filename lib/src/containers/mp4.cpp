// MP4/M4A (AAC, ALAC; decoded through FFmpeg): a top-level box that runs past the end, or the
// audio ('mdat') without the 'moov' box that indexes it. libavformat only says "moov atom not
// found" or reads what is there. The length is the sample table less the edit list's priming
// (mp4_boxes.hpp), in the track's time scale: the decoder's count, which FFmpeg's backend
// takes from the same boxes, stands for it.
#include "containers/container.hpp"
#include "mp4_boxes.hpp"

namespace tonearm::detail {

StreamLength mp4_length(ByteSource& bytes)
{
    const ReadAt read = [&](std::int64_t offset, std::span<std::uint8_t> out) { return bytes.read_into(offset, out); };
    const Mp4Layout layout = read_mp4_layout(read, bytes.size());
    StreamLength length;
    if (!layout.truncated.empty())
        length.cut = layout.truncated;
    else if (layout.mdat && !layout.moov)
        length.cut = "the file ends after its audio ('mdat' box) without the 'moov' box that indexes it";
    else
        length.cut = "";
    return length;
}

}  // namespace tonearm::detail
