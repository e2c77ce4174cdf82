#include "tonearm/batch_check.hpp"

#include "byte_source.hpp"
#include "containers/container.hpp"
#include "ordered_parallel_map.hpp"
#include "tonearm/audio_extensions.hpp"
#include "tonearm/file_walk.hpp"
#include "text.hpp"
#include "verifier.hpp"

#include <algorithm>
#include <chrono>

namespace tonearm {

std::string_view to_string(CheckCategory category) noexcept
{
    switch (category) {
    case CheckCategory::none: return "";
    case CheckCategory::open: return "open";
    case CheckCategory::unsupported: return "unsupported";
    case CheckCategory::truncated: return "truncated";
    case CheckCategory::decode: return "decode";
    case CheckCategory::non_finite: return "non_finite";
    case CheckCategory::md5_mismatch: return "md5_mismatch";
    }
    return "decode";
}

CheckCategory check_category(ErrorKind kind) noexcept
{
    switch (kind) {
    case ErrorKind::not_found:
    case ErrorKind::unreadable: return CheckCategory::open;
    case ErrorKind::unsupported: return CheckCategory::unsupported;
    case ErrorKind::truncated: return CheckCategory::truncated;
    case ErrorKind::non_finite: return CheckCategory::non_finite;
    case ErrorKind::md5_mismatch: return CheckCategory::md5_mismatch;
    default: return CheckCategory::decode;
    }
}

std::string_view to_string(Md5Status status) noexcept
{
    switch (status) {
    case Md5Status::not_applicable: return "";
    case Md5Status::absent: return "absent";
    case Md5Status::match: return "ok";
    case Md5Status::mismatch: return "mismatch";
    }
    return "";
}

std::string_view check_rules_version() noexcept
{
    // The second part changes whenever a verdict could change for the same file.
    return "tonearm " TONEARM_VERSION ", check rules 3";
}

std::vector<std::string> InputListOptions::default_extensions()
{
    const auto shared = audio_extensions();  // play walks directories with the same list
    return {shared.begin(), shared.end()};
}

CheckResult check_file(const std::filesystem::path& path)
{
    const auto start = std::chrono::steady_clock::now();
    CheckResult result;
    result.path = path;
    try {
        detail::FileBytes bytes(path);
        if (bytes.ok() && bytes.size() == 0)
            detail::fail(result, CheckCategory::truncated, "empty file (0 bytes)");
        else  // (a file that did not open goes to the decoder, which says why in the same words as play)
            detail::verify(bytes.ok() ? detail::sniff_container(bytes) : detail::Container::unknown, path, bytes,
                           result);
    } catch (const Error& e) {
        detail::fail(result, check_category(e.kind()), e.cause());
    } catch (const std::bad_alloc&) {
        detail::fail(result, CheckCategory::decode, "out of memory (absurd sizes in the header?)");
    } catch (const std::exception& e) {
        detail::fail(result, CheckCategory::decode, e.what());
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

unsigned shard_of(const std::filesystem::path& relative, unsigned count) noexcept
{
    std::uint64_t hash = 0xcbf29ce484222325u;  // FNV-1a 64
    for (const char c : relative.generic_string()) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3u;
    }
    // splitmix64's finaliser: FNV's low bits alone split small counts unevenly.
    hash = (hash ^ (hash >> 30)) * 0xbf58476d1ce4e5b9u;
    hash = (hash ^ (hash >> 27)) * 0x94d049bb133111ebu;
    hash ^= hash >> 31;
    return count <= 1 ? 1 : static_cast<unsigned>(hash % count) + 1;
}

// ---------------------------------------------------------------------------------------
// Listing.

namespace {

bool has_extension(const std::filesystem::path& path, const std::vector<std::string>& extensions)
{
    if (extensions.empty())
        return true;
    std::string ext = path.extension().string();
    if (ext.size() < 2)
        return false;
    ext = lower_case(ext.substr(1));
    return std::find(extensions.begin(), extensions.end(), ext) != extensions.end();
}

bool names_a_directory(const std::filesystem::path& path)
{
    std::error_code ec;
    return std::filesystem::is_directory(path, ec);  // follows links
}

}  // namespace

InputList list_inputs(std::span<const std::filesystem::path> paths, const InputListOptions& options)
{
    std::vector<std::string> extensions = options.extensions;
    for (auto& ext : extensions) {
        if (ext.starts_with('.'))
            ext.erase(0, 1);
        ext = lower_case(std::move(ext));
    }
    const auto in_shard = [&](const std::filesystem::path& relative) {
        return options.shard.count <= 1 || shard_of(relative, options.shard.count) == options.shard.index;
    };
    InputList list;
    const FileWalkVisitor visit{
        .file = [&](const std::filesystem::path& path, const std::filesystem::path& relative) {
            if (!in_shard(relative))
                return;
            if (has_extension(path, extensions))
                list.inputs.push_back({path, std::nullopt, relative});
            else
                ++list.skipped;
        },
        .problem = [&](const std::filesystem::path& path, const std::filesystem::path& relative,
                       const std::string& cause) {
            if (in_shard(relative))
                list.inputs.push_back({path, Error(ErrorKind::unreadable, path.string(), cause), relative});
        },
    };
    // One walker for all the arguments: a directory named twice, or inside another one named,
    // is checked once.
    FileWalker walker(NameOrder::bytewise);
    for (const auto& path : paths) {
        if (names_a_directory(path))
            walker.walk(path, visit);
        else if (in_shard(path.filename()))
            list.inputs.push_back({path, std::nullopt, path.filename()});  // named explicitly: always checked
    }
    return list;
}

// ---------------------------------------------------------------------------------------
// Checking in parallel.

std::vector<CheckResult> check_all(std::span<const CheckInput> inputs, const CheckAllOptions& options)
{
    const auto check = [&](std::size_t i) {
        if (!inputs[i].problem)
            return options.check ? options.check(i, inputs[i]) : check_file(inputs[i].path);
        CheckResult result;
        result.path = inputs[i].path;
        detail::fail(result, check_category(inputs[i].problem->kind()), inputs[i].problem->cause());
        return result;
    };
    // A callback that fails (a cache that cannot be written) stops the check: the caller gets the error.
    const auto progress = [&](std::size_t done) {
        if (options.on_progress)
            options.on_progress(done, inputs.size());
    };
    const auto deliver = [&](std::size_t i, const CheckResult& result) {
        if (options.on_result)
            options.on_result(i, result);
    };
    return detail::ordered_parallel_map<CheckResult>(inputs.size(), options.jobs, check, progress, deliver);
}

}  // namespace tonearm
