#include "logging.hpp"

#include <spdlog/sinks/ansicolor_sink.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace tonearm::cli {

void setup_logging(const LogOptions& options, FILE* stream)
{
    const char* no_color = std::getenv("NO_COLOR");
    const auto mode = no_color && *no_color ? spdlog::color_mode::never : spdlog::color_mode::automatic;
    // Multi-threaded sink: LibraryStderr's reader thread logs too.
    auto sink = std::make_shared<spdlog::sinks::ansicolor_sink<spdlog::details::console_mutex>>(stream, mode);
    auto logger = std::make_shared<spdlog::logger>("tonearm", std::move(sink));
    logger->set_pattern("tonearm: %^%l%$: %v");

    auto level = spdlog::level::warn;
    if (options.quiet)
        level = spdlog::level::err;
    else if (options.verbose == 1)
        level = spdlog::level::info;
    else if (options.verbose == 2)
        level = spdlog::level::debug;
    else if (options.verbose >= 3)
        level = spdlog::level::trace;
    if (!options.level.empty())
        level = spdlog::level::from_str(options.level);
    logger->set_level(level);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace tonearm::cli
