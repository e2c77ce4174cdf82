#include "tonearm/tag_reader.hpp"

#include "ffmpeg_part.hpp"

namespace tonearm {

std::map<std::string, std::string> read_file_tags(const std::filesystem::path& path)
{
    return detail::ffmpeg_part(path.string()).read_tags(path);
}

}  // namespace tonearm
