// tonearm::check_file, list_inputs and check_all on a fixture tree generated at test time:
// good files of every format, cut ones, bit-flipped ones, empty, random bytes, a FLAC whose
// MD5 does not match its audio, NaN samples... with the verdicts asserted, and compared with
// what ffmpeg (and flac -t) say about the same files.
#include "support/fixtures.hpp"
#include "support/process.hpp"

#include "tonearm/batch_check.hpp"
#include "tonearm/verdict_cache.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <linux/capability.h>
#include <map>
#include <set>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>


namespace tonearm::test {
namespace {

namespace fs = std::filesystem;

// --- Fixture tree ----------------------------------------------------------------------------

std::uint32_t be32(const std::vector<std::byte>& b, std::size_t at)
{
    return std::to_integer<std::uint32_t>(b[at]) << 24 | std::to_integer<std::uint32_t>(b[at + 1]) << 16 |
           std::to_integer<std::uint32_t>(b[at + 2]) << 8 | std::to_integer<std::uint32_t>(b[at + 3]);
}

std::size_t find(const std::vector<std::byte>& bytes, std::string_view text)
{
    const auto* begin = reinterpret_cast<const char*>(bytes.data());
    const std::string_view view(begin, bytes.size());
    const std::size_t at = view.find(text);
    if (at == std::string_view::npos)
        throw std::runtime_error("no " + std::string(text) + " in fixture");
    return at;
}

// Where the audio starts: every byte before it is header (chunk headers, metadata blocks,
// header pages, the Xing frame). Cutting there leaves a file with headers and no audio.
std::size_t header_end(const FixtureFormat& format, const std::vector<std::byte>& b)
{
    const auto u8 = [&](std::size_t at) { return std::to_integer<std::uint32_t>(b[at]); };
    if (format.extension == ".wav")
        return find(b, "data") + 8;
    if (format.extension == ".aiff")
        return find(b, "SSND") + 16;
    if (format.extension == ".flac") {
        std::size_t pos = 4;
        for (bool last = false; !last; pos += 4 + (be32(b, pos) & 0xFFFFFF))
            last = u8(pos) & 0x80;
        return pos;
    }
    if (format.extension == ".ogg" || format.extension == ".opus") {
        for (std::size_t pos = 0;;) {  // the first page with a granule position is audio
            std::uint64_t granule = 0;
            for (int k = 7; k >= 0; --k)
                granule = granule << 8 | u8(pos + 6 + static_cast<std::size_t>(k));
            if (granule != 0)
                return pos;
            std::size_t size = 27 + u8(pos + 26);
            for (std::size_t s = 0; s < u8(pos + 26); ++s)
                size += u8(pos + 27 + s);
            pos += size;
        }
    }
    // MP3 from libsndfile (LAME): an ID3v2 tag, then the Xing/Info frame (MPEG-1 layer III).
    std::size_t pos = 0;
    if (b.size() > 10 && std::memcmp(b.data(), "ID3", 3) == 0)
        pos = 10 + ((u8(6) & 0x7f) << 21 | (u8(7) & 0x7f) << 14 | (u8(8) & 0x7f) << 7 | (u8(9) & 0x7f));
    static constexpr int kbps[] = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
    static constexpr int rates[] = {44100, 48000, 32000};
    if (u8(pos) != 0xFF || (u8(pos + 1) & 0xFE) != 0xFA)
        throw std::runtime_error("fixture MP3 is not MPEG-1 layer III");
    return pos + 144 * 1000 * kbps[u8(pos + 2) >> 4] / rates[(u8(pos + 2) >> 2) & 3] + ((u8(pos + 2) >> 1) & 1);
}

bool ffmpeg_available() { return run_process({"ffmpeg", "-version"}).exit_code == 0; }

// `ffmpeg -v error -i F -f null -` decodes the file without a word.
bool ffmpeg_ok(const fs::path& path, const std::vector<std::string>& extra = {})
{
    std::vector<std::string> argv = {"ffmpeg", "-nostdin", "-v", "error"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), {"-i", path.string(), "-f", "null", "-"});
    const auto r = run_process(argv);
    return r.exit_code == 0 && r.err.empty();
}

// `bytes` with eight bytes flipped from `percent` % of the way in.
std::vector<std::byte> damaged(std::vector<std::byte> bytes, int percent)
{
    const std::size_t at = bytes.size() * static_cast<std::size_t>(percent) / 100;
    for (std::size_t k = 0; k < 8; ++k)
        bytes[at + 7 * k] ^= std::byte{0x5a};
    return bytes;
}

// The tree, and the verdict each file must get ("" = ok).
class FixtureTree {
public:
    FixtureTree()
    {
        const fs::path good = dir_ / "good", cut = dir_ / "truncated", flipped = dir_ / "corrupt";
        for (const fs::path& d : {good, cut, flipped, dir_ / "odd", dir_ / "x.wav"})
            fs::create_directories(d);

        for (const auto& format : fixture_formats()) {
            const auto path = write_fixture(good, format.name, format, Tone{.seconds = 0.5});
            expect(path, "");
            const auto bytes = read_bytes(path);
            // Cut just after the headers, and at 10, 50 and 90 % of the bytes.
            const std::pair<std::string, std::size_t> cuts[] = {
                {"header", header_end(format, bytes)}, {"10", bytes.size() / 10},
                {"50", bytes.size() / 2}, {"90", bytes.size() * 9 / 10}};
            for (const auto& [point, size] : cuts) {
                const auto target = cut / (format.name + "_" + point + format.extension);
                write_bytes(target, std::span(bytes).first(size));
                expect(target, "truncated");
            }
            // Eight bytes flipped at 30 % and at 60 %: only formats with checksums can tell.
            // PCM in WAV/AIFF has none; MP3 frames carry no CRC by default (LAME).
            for (const int percent : {30, 60}) {
                const auto target = flipped / (format.name + "_flip" + std::to_string(percent) + format.extension);
                write_bytes(target, damaged(bytes, percent));
                const bool checksummed = format.name.starts_with("flac") || format.extension == ".ogg" ||
                                         format.extension == ".opus";
                expect(target, checksummed ? "decode" : "");
            }
            // Damaged from 30 % to the end: no final frame to be found, yet nothing is missing.
            // A damaged stream, not a cut one.
            if (format.name.starts_with("flac")) {
                auto garbled = bytes;
                for (std::size_t k = bytes.size() * 3 / 10; k < bytes.size(); k += 7)
                    garbled[k] ^= std::byte{0x5a};
                const auto target = flipped / (format.name + "_garbled_to_the_end" + format.extension);
                write_bytes(target, garbled);
                expect(target, "decode");
            }
        }
        // The formats decoded through FFmpeg (encoded by Debian's ffmpeg, the PCM they were made
        // from kept outside the tree): whole, cut at 10, 50 and 90 %, and damaged, with an M4A
        // whose index comes first (faststart) besides ffmpeg's usual index-last layout.
        for (FfmpegFixture format : ffmpeg_fixtures()) {
            for (const bool faststart : {false, true}) {
                if (faststart && format.name != "aac_m4a")
                    continue;
                if (faststart) {
                    format.name = "aac_m4a_faststart";
                    format.codec_args.insert(format.codec_args.end(), {"-movflags", "faststart"});
                }
                Tone tone{.sample_rate = format.sample_rate, .seconds = 0.5};
                const auto made = write_ffmpeg_fixture(scratch_.path(), format.name, format, synth(tone));
                const auto path = good / made.filename();
                fs::copy_file(made, path);
                expect(path, "");
                const auto bytes = read_bytes(path);
                for (const int percent : {10, 50, 90}) {
                    const auto target = cut / (format.name + "_" + std::to_string(percent) + format.extension);
                    write_bytes(target, std::span(bytes).first(bytes.size() * static_cast<std::size_t>(percent) / 100));
                    // Raw ADTS declares no length: cut between two frames (as at 50 % here), it is a
                    // shorter stream and nothing can tell; ffmpeg passes it too.
                    const bool between_adts_frames = format.extension == ".aac" && ffmpeg_ok(target);
                    expect(target, between_adts_frames ? "" : "truncated");
                }
                // Without checksums in these formats, damage shows only where the decoder trips
                // over it: whatever ffmpeg reports, tonearm must report too (see the oracle test).
                for (const int percent : {30, 60}) {
                    const auto target = flipped / (format.name + "_flip" + std::to_string(percent) + format.extension);
                    write_bytes(target, damaged(bytes, percent));
                    expect(target, ffmpeg_ok(target) ? "" : "decode");
                }
            }
        }
        // Audio that no backend here decodes: a failure, never a file passed over.
        {
            const auto wav = scratch_ / "unsupported.wav";
            write_audio(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, synth(Tone{.seconds = 0.2}));
            for (const auto& [codec, name] : {std::pair{"wavpack", "wavpack.wv"}, {"ac3", "dolby.ac3"}, {"tta", "true.tta"}}) {
                run_ffmpeg({"-i", wav.string(), "-c:a", codec, (dir_ / "odd" / name).string()});
                expect(dir_ / "odd" / name, "unsupported");
            }
        }
        // A WAV cut on a sample-frame boundary: nothing looks wrong but the length.
        {
            const auto bytes = read_bytes(good / "wav16.wav");
            const std::size_t data = header_end(fixture_format("wav16"), bytes);
            write_bytes(cut / "wav16_frame_boundary.wav", std::span(bytes).first(data + 4 * 5000));
            expect(cut / "wav16_frame_boundary.wav", "truncated");
        }

        write_bytes(dir_ / "odd" / "empty.wav", {});
        expect(dir_ / "odd" / "empty.wav", "truncated");
        write_bytes(dir_ / "odd" / "empty.flac", {});
        expect(dir_ / "odd" / "empty.flac", "truncated");
        unsigned seed = 1;
        for (const char* ext : {".wav", ".flac", ".ogg", ".mp3", ".opus", ".m4a", ".webm", ".wma", ".aac"}) {
            const auto path = dir_ / "odd" / (std::string("noise") + ext);
            write_bytes(path, random_bytes(4096, seed++));
            expect(path, "unsupported");
        }
        // A directory named like an audio file is walked like any directory.
        fs::copy_file(good / "flac16.flac", dir_ / "x.wav" / "inside.flac");
        expect(dir_ / "x.wav" / "inside.flac", "");
        // Hidden files and what is not audio (a library's cover art, cue sheet, rip log) are not
        // checked, only counted.
        write_bytes(dir_ / "odd" / ".hidden.wav", random_bytes(100, 99));
        for (const char* name : {"notes.txt", "cover.jpg", "album.cue", "rip.log"})
            write_bytes(dir_ / "odd" / name, random_bytes(100, 98));

        // A FLAC whose audio frames were replaced: the metadata (STREAMINFO with its MD5) of
        // one encode, followed by the frames of another of the same length and format. Every
        // frame and its CRC is intact, so it decodes to the end; only the MD5 can tell.
        {
            Tone other{.seconds = 0.5};
            other.frequencies[0] = 300;
            other.frequencies[1] = 500;
            const auto& flac = fixture_format("flac16");
            const auto donor = read_bytes(write_fixture(dir_.path(), "donor", flac, other));
            fs::remove(dir_ / "donor.flac");
            auto bytes = read_bytes(good / "flac16.flac");
            bytes.resize(header_end(flac, bytes));
            bytes.insert(bytes.end(), donor.begin() + static_cast<std::ptrdiff_t>(header_end(flac, donor)), donor.end());
            write_bytes(dir_ / "odd" / "altered.flac", bytes);
            expect(dir_ / "odd" / "altered.flac", "md5_mismatch");
        }
        // Float samples that are not numbers.
        {
            auto samples = synth(Tone{.seconds = 0.5});
            samples[1001] = std::numeric_limits<float>::quiet_NaN();
            samples[2002] = std::numeric_limits<float>::infinity();
            write_audio(dir_ / "odd" / "nan.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 2, samples);
            expect(dir_ / "odd" / "nan.wav", "non_finite");
        }
        // Clipping is reported, not a failure.
        {
            auto samples = synth(Tone{.seconds = 0.5, .amplitude = 1.5});
            for (float& s : samples)
                s = std::clamp(s, -1.0f, 1.0f);
            write_audio(dir_ / "odd" / "clipped.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, samples);
            expect(dir_ / "odd" / "clipped.wav", "");
        }
        // A VBR MP3 without a Xing header: libsndfile stops at its length estimate.
        {
            const auto wav = dir_ / "vbr_source.wav";
            write_audio(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, synth(Tone{.seconds = 2.0}));
            const auto path = dir_ / "odd" / "vbr_no_xing.mp3";
            const auto r = run_process({"ffmpeg", "-nostdin", "-v", "error", "-i", wav.string(), "-c:a", "libmp3lame",
                                        "-q:a", "6", "-write_xing", "0", path.string()});
            fs::remove(wav);
            if (r.exit_code == 0)
                expect(path, "unsupported");
        }
        // Two MP3s joined: the first one's Xing header declares half of what the file holds.
        {
            auto bytes = read_bytes(good / "mp3.mp3");
            const auto copy = bytes;
            bytes.insert(bytes.end(), copy.begin(), copy.end());
            write_bytes(dir_ / "odd" / "joined.mp3", bytes);
            expect(dir_ / "odd" / "joined.mp3", "unsupported");
        }
        // Unreadable: the permission bits say so (root ignores them; see the tests).
        fs::copy_file(good / "wav16.wav", dir_ / "odd" / "unreadable.wav");
        fs::permissions(dir_ / "odd" / "unreadable.wav", fs::perms::none);
        const int fd = ::open((dir_ / "odd" / "unreadable.wav").c_str(), O_RDONLY);
        unreadable_really_ = fd < 0;
        if (fd >= 0)
            ::close(fd);
        expect(dir_ / "odd" / "unreadable.wav", unreadable_really_ ? "open" : "");
        // Symlinks: to a file (checked under its own name), and back up the tree (not walked again).
        fs::create_symlink(good / "opus.opus", dir_ / "odd" / "link.opus");
        expect(dir_ / "odd" / "link.opus", "");
        fs::create_directory_symlink(dir_.path(), dir_ / "odd" / "loop");
    }

    const fs::path& root() const { return dir_.path(); }
    const std::map<fs::path, std::string>& expected() const { return expected_; }
    bool unreadable_really() const { return unreadable_really_; }

private:
    void expect(const fs::path& path, std::string category) { expected_[path] = std::move(category); }

    TempDir dir_;
    TempDir scratch_;  // what the fixtures were made from, outside the tree
    std::map<fs::path, std::string> expected_;
    bool unreadable_really_ = false;
};

// Built once: the tree takes a second or two to write.
const FixtureTree& tree()
{
    static const FixtureTree instance;
    return instance;
}

CheckAllOptions with_jobs(unsigned jobs)
{
    CheckAllOptions options;
    options.jobs = jobs;
    return options;
}

std::vector<CheckResult> check_tree(unsigned jobs)
{
    const std::vector<fs::path> roots = {tree().root()};
    const auto list = list_inputs(roots);
    return check_all(list.inputs, with_jobs(jobs));
}

// The tree checked once with two jobs, for the tests that only read the verdicts.
const std::vector<CheckResult>& tree_results()
{
    static const auto results = check_tree(2);
    return results;
}

// Runs `run(i)` for i in [0, count) on a few threads (the oracles are separate processes).
template <typename Run>
void in_parallel(std::size_t count, Run run)
{
    std::atomic<std::size_t> next{0};
    std::vector<std::jthread> threads;
    for (int k = 0; k < 4; ++k)
        threads.emplace_back([&] {
            for (std::size_t i; (i = next++) < count;)
                run(i);
        });
}

// --- Listing ---------------------------------------------------------------------------------

TEST(ListInputs, WalksSortedSkipsHiddenFiltersByExtensionAndNeverLoops)
{
    const std::vector<fs::path> roots = {tree().root()};
    const auto list = list_inputs(roots);
    std::vector<fs::path> listed;
    for (const auto& input : list.inputs) {
        EXPECT_FALSE(input.problem) << input.path;
        listed.push_back(input.path);
    }
    std::vector<fs::path> wanted;
    for (const auto& [path, category] : tree().expected())
        wanted.push_back(path);
    // Every expected file exactly once (the loop symlink does not walk the tree again), and
    // nothing else: not the hidden file, not notes.txt, not the directory x.wav itself.
    auto sorted = listed;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, wanted);
    EXPECT_EQ(list.skipped, 4u);  // notes.txt, cover.jpg, album.cue, rip.log
    // Deterministic order: directories' entries by name, depth first.
    EXPECT_EQ(listed.front(), tree().root() / "corrupt" / "aac_adts_flip30.aac");
    EXPECT_EQ(listed.back(), tree().root() / "x.wav" / "inside.flac");
    EXPECT_TRUE(std::is_sorted(listed.begin(), listed.end(),
                               [](const fs::path& a, const fs::path& b) { return a.native() < b.native(); }));
}

TEST(ListInputs, ExtensionsAreCaseInsensitiveAndNamedFilesAlwaysCount)
{
    TempDir dir;
    for (const char* name : {"a.FLAC", "b.flac", "c.Wav", "d.txt", "e"})
        write_bytes(dir / name, random_bytes(10, 1));
    const std::vector<fs::path> paths = {dir.path(), dir / "d.txt", dir / "missing.wav"};
    const auto list = list_inputs(paths, {.extensions = {".flac", "TXT"}});
    std::vector<std::string> names;
    for (const auto& input : list.inputs)
        names.push_back(input.path.filename().string());
    EXPECT_EQ(names, (std::vector<std::string>{"a.FLAC", "b.flac", "d.txt", "d.txt", "missing.wav"}));
    EXPECT_EQ(list.skipped, 2u);  // c.Wav, e
    EXPECT_EQ(list_inputs(paths, {.extensions = {}}).inputs.size(), 7u);  // every file
}

// --- Verdicts --------------------------------------------------------------------------------

TEST(CheckFile, GivesEveryFixtureItsExpectedVerdict)
{
    if (!ffmpeg_available())
        GTEST_SKIP() << "ffmpeg is needed to make the fixtures";
    const auto& results = tree_results();
    ASSERT_EQ(results.size(), tree().expected().size());
    for (const auto& r : results) {
        const std::string& wanted = tree().expected().at(r.path);
        EXPECT_EQ(std::string(to_string(r.category)), wanted) << r.path << ": " << r.message;
        EXPECT_EQ(r.ok(), r.message.empty()) << r.path;
        if (r.ok()) {
            EXPECT_GT(r.frames, 0) << r.path;
            EXPECT_EQ(r.frames, r.declared_frames.value_or(r.frames)) << r.path;
        }
    }
}

TEST(CheckFile, MeasuresGoodFiles)
{
    for (const auto& format : fixture_formats()) {
        const auto r = check_file(tree().root() / "good" / (format.name + format.extension));
        ASSERT_TRUE(r.ok()) << format.name << ": " << r.message;
        EXPECT_EQ(r.frames, format.sample_rate / 2) << format.name;  // half a second
        EXPECT_EQ(r.declared_frames, format.sample_rate / 2) << format.name;
        EXPECT_EQ(r.sample_rate, format.sample_rate);
        EXPECT_EQ(r.channels, 2);
        EXPECT_DOUBLE_EQ(r.duration(), 0.5);
        if (format.lossless) {
            EXPECT_NEAR(r.peak, 0.5, 1e-3) << format.name;
        } else {  // lossy codecs overshoot, Opus most where the tone stops abruptly
            EXPECT_GT(r.peak, 0.4) << format.name;
            EXPECT_LT(r.peak, 1.0) << format.name;
        }
        EXPECT_EQ(r.clipped, 0);
        EXPECT_EQ(r.non_finite, 0);
        EXPECT_EQ(r.md5, format.name.starts_with("flac") ? Md5Status::match : Md5Status::not_applicable);
    }
}

TEST(CheckFile, ReportsWhatItFound)
{
    const auto& root = tree().root();
    const auto clipped = check_file(root / "odd" / "clipped.wav");
    EXPECT_TRUE(clipped.ok());
    EXPECT_GT(clipped.clipped, 1000);
    EXPECT_GE(clipped.peak, 32767.0 / 32768.0);

    const auto nan = check_file(root / "odd" / "nan.wav");
    EXPECT_EQ(nan.non_finite, 2);
    EXPECT_NE(nan.message.find("first in frame 500"), std::string::npos) << nan.message;
    EXPECT_NEAR(nan.peak, 0.5, 1e-3);  // NaN and infinity are not peaks

    const auto altered = check_file(root / "odd" / "altered.flac");
    EXPECT_EQ(altered.md5, Md5Status::mismatch);
    EXPECT_EQ(altered.frames, 22050);  // it all decodes

    const auto cut = check_file(root / "truncated" / "wav16_50.wav");
    EXPECT_EQ(cut.declared_frames, 22050);
    EXPECT_LT(cut.frames, 22050);

    const auto missing = check_file(root / "no such file.wav");
    EXPECT_EQ(missing.category, CheckCategory::open);
    EXPECT_FALSE(missing.opened);

    const auto directory = check_file(root / "x.wav");  // named explicitly, a directory fails to open
    EXPECT_EQ(directory.category, CheckCategory::open);
}

// Runs `body` on a thread without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so that file
// permissions apply even to root (capabilities belong to threads on Linux). False if the
// capabilities could not be dropped.
template <typename Body>
bool without_permission_override(Body body)
{
    bool dropped = false;
    std::thread([&] {
        __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
        __user_cap_data_struct data[2]{};
        if (::syscall(SYS_capget, &header, data) != 0)
            return;
        data[0].effective &= ~((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH));
        if (::syscall(SYS_capset, &header, data) != 0)
            return;
        dropped = true;
        body();
    }).join();
    return dropped;
}

TEST(CheckFile, ReportsAnUnreadableFileAsOpen)
{
    const auto path = tree().root() / "odd" / "unreadable.wav";
    std::optional<CheckResult> result;
    bool denied = false;
    const bool dropped = without_permission_override([&] {
        const int fd = ::open(path.c_str(), O_RDONLY);
        denied = fd < 0;
        if (fd >= 0)
            ::close(fd);
        result = check_file(path);
    });
    if (!dropped || !denied)
        GTEST_SKIP() << "cannot make a file unreadable for this process (root with CAP_DAC_OVERRIDE)";
    EXPECT_EQ(result->category, CheckCategory::open);
    EXPECT_NE(result->message.find("ermission denied"), std::string::npos) << result->message;
}

TEST(CheckFile, NeverModifiesItsInput)
{
    const auto path = tree().root() / "truncated" / "flac16_50.flac";
    const auto before = read_bytes(path);
    const auto mtime = fs::last_write_time(path);
    (void)check_file(path);
    EXPECT_EQ(read_bytes(path), before);
    EXPECT_EQ(fs::last_write_time(path), mtime);
}

// --- Oracles -----------------------------------------------------------------------------------

// Where tonearm deliberately disagrees with `ffmpeg -v error -i F -f null -`: tonearm fails a
// file that ffmpeg decodes without an error. (The other way round, none.)
std::optional<std::string> deliberate_difference(const CheckResult& r)
{
    const std::string ext = r.path.extension().string();
    switch (r.category) {
    case CheckCategory::truncated:
        if (ext == ".wav" || ext == ".aiff")
            return "ffmpeg decodes the whole sample frames present and never compares them with the data "
                   "chunk's size; it only complains when a cut leaves a partial sample frame";
        if (ext == ".ogg" || ext == ".opus")
            return "ffmpeg's Ogg demuxer drops a cut last page and does not require the end-of-stream page";
        if (ext == ".mp3")
            return "ffmpeg ignores the frame count in the Xing header and a cut last frame";
        if (ext == ".flac")
            return "ffmpeg does not compare the frames decoded with STREAMINFO's total";
        return std::nullopt;
    case CheckCategory::md5_mismatch:
        return "ffmpeg does not verify FLAC's STREAMINFO MD5 (flac -t does)";
    case CheckCategory::non_finite:
        return "ffmpeg does not look at sample values";
    case CheckCategory::decode:
        if (ext == ".flac")
            return "ffmpeg ignores FLAC frame CRCs unless -err_detect crccheck (checked below)";
        return std::nullopt;
    case CheckCategory::unsupported:
        if (ext == ".wv" || ext == ".ac3" || ext == ".tta")
            return "no backend of tonearm decodes WavPack, AC-3 or TTA (FFmpeg's is held to the formats the "
                   "web build has too); a library check fails what it did not decode rather than passing it";
        if (ext == ".mp3" && r.opened)
            return "libsndfile never reads an MP3 past the length in its Xing header, or past its estimate "
                   "without one; tonearm cannot verify the rest and says so instead of passing a file it did "
                   "not decode";
        return std::nullopt;
    default: return std::nullopt;
    }
}

TEST(CheckFile, AgreesWithFfmpegExceptWhereDocumented)
{
    if (!ffmpeg_available())
        GTEST_SKIP() << "no ffmpeg";
    const auto& results = tree_results();
    std::vector<char> ffmpeg_verdicts(results.size()), crccheck_verdicts(results.size());
    in_parallel(results.size(), [&](std::size_t i) {
        ffmpeg_verdicts[i] = ffmpeg_ok(results[i].path);
        if (results[i].category == CheckCategory::decode)
            crccheck_verdicts[i] = ffmpeg_ok(results[i].path, {"-err_detect", "crccheck"});
    });
    std::map<std::string, int> differences;
    for (std::size_t i = 0; i < results.size(); ++i) {
        const CheckResult& r = results[i];
        const bool ffmpeg = ffmpeg_verdicts[i];
        if (r.ok() == ffmpeg)
            continue;
        ASSERT_FALSE(r.ok()) << r.path << ": tonearm passes a file ffmpeg reports errors for";
        const auto reason = deliberate_difference(r);
        ASSERT_TRUE(reason) << r.path << ": tonearm says " << to_string(r.category) << " (" << r.message
                            << "), ffmpeg decodes it without error";
        if (r.category == CheckCategory::decode) {
            EXPECT_FALSE(crccheck_verdicts[i]) << r.path;
        }
        ++differences[std::string(to_string(r.category)) + " " + r.path.extension().string() + ": " + *reason];
    }
    for (const auto& [reason, count] : differences)
        std::cout << "  deliberate difference (" << count << " files): " << reason << '\n';
}

TEST(CheckFile, AgreesWithFlacTestOnEveryFlacFile)
{
    if (run_process({"flac", "--version"}).exit_code != 0)
        GTEST_SKIP() << "no flac";
    const auto& results = tree_results();
    std::vector<ProcessResult> flac_results(results.size());
    in_parallel(results.size(), [&](std::size_t i) {
        if (results[i].path.extension() == ".flac")
            flac_results[i] = run_process({"flac", "-s", "-t", results[i].path.string()});
    });
    for (std::size_t i = 0; i < results.size(); ++i) {
        const CheckResult& r = results[i];
        if (r.path.extension() != ".flac")
            continue;
        const auto& flac = flac_results[i];
        EXPECT_EQ(r.ok(), flac.exit_code == 0) << r.path << ": " << r.message << " / flac -t: " << flac.err;
        if (r.category == CheckCategory::md5_mismatch) {
            EXPECT_NE(flac.err.find("MD5 signature mismatch"), std::string::npos) << flac.err;
        }
    }
}

// --- Parallel ----------------------------------------------------------------------------------

std::vector<std::string> without_times(const std::vector<CheckResult>& results)
{
    std::vector<std::string> lines;
    for (const auto& r : results)
        lines.push_back(r.path.string() + "|" + std::string(to_string(r.category)) + "|" + r.message + "|" +
                        std::to_string(r.frames) + "|" + std::to_string(r.declared_frames.value_or(-1)) + "|" +
                        std::to_string(r.peak) + "|" + std::to_string(r.clipped) + "|" +
                        std::string(to_string(r.md5)));
    return lines;
}

TEST(CheckAll, GivesTheSameResultsInInputOrderWhateverTheJobs)
{
    const auto one = without_times(check_tree(1));
    const auto four = without_times(check_tree(4));
    EXPECT_EQ(one, without_times(tree_results()));
    EXPECT_EQ(one, four);
    const std::vector<fs::path> roots = {tree().root()};
    const auto list = list_inputs(roots);
    ASSERT_EQ(one.size(), list.inputs.size());
    for (std::size_t i = 0; i < one.size(); ++i)
        EXPECT_TRUE(one[i].starts_with(list.inputs[i].path.string() + "|")) << i;
}

TEST(CheckAll, ReportsProgressAndResultsInOrderOnTheCallingThread)
{
    const std::vector<fs::path> roots = {tree().root() / "good", tree().root() / "truncated"};
    const auto list = list_inputs(roots);
    const auto caller = std::this_thread::get_id();
    std::vector<std::size_t> progress, order;
    CheckAllOptions options;
    options.jobs = 3;
    options.on_progress = [&](std::size_t done, std::size_t total) {
        EXPECT_EQ(std::this_thread::get_id(), caller);
        EXPECT_EQ(total, list.inputs.size());
        progress.push_back(done);
    };
    options.on_result = [&](std::size_t index, const CheckResult& r) {
        EXPECT_EQ(std::this_thread::get_id(), caller);
        EXPECT_EQ(r.path, list.inputs[index].path);
        order.push_back(index);
    };
    const auto results = check_all(list.inputs, options);
    ASSERT_EQ(order.size(), list.inputs.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        EXPECT_EQ(order[i], i);
    ASSERT_FALSE(progress.empty());
    EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
    EXPECT_EQ(progress.back(), list.inputs.size());
}

TEST(CheckAll, ReportsListingProblemsInPlace)
{
    std::vector<CheckInput> inputs;
    inputs.push_back({tree().root() / "good" / "wav16.wav", std::nullopt, {}});
    inputs.push_back({"/nowhere", Error(ErrorKind::unreadable, "/nowhere", "cannot list the directory: denied"), {}});
    const auto results = check_all(inputs, with_jobs(2));
    ASSERT_EQ(results.size(), 2u);
    EXPECT_TRUE(results[0].ok());
    EXPECT_EQ(results[1].category, CheckCategory::open);
    EXPECT_EQ(results[1].message, "cannot list the directory: denied");
    EXPECT_TRUE(check_all({}, with_jobs(4)).empty());
}

// --- Shards ------------------------------------------------------------------------------------

TEST(Shards, AreAStableFunctionOfTheRelativePath)
{
    // Part of the interface: N processes of any version split a tree the same way.
    EXPECT_EQ(shard_of("a.flac", 1), 1u);
    EXPECT_EQ(shard_of("good/flac16.flac", 4), 1u);
    EXPECT_EQ(shard_of("Artist/Album/01 Track.mp3", 7), 4u);
    EXPECT_EQ(shard_of("good/flac16.flac", 4), shard_of(fs::path("good") / "flac16.flac", 4));
    // Even: 10,000 paths over 5 shards, each within 10 % of its share.
    std::map<unsigned, int> counts;
    for (int i = 0; i < 10000; ++i)
        ++counts[shard_of("music/" + std::to_string(i / 100) + "/track " + std::to_string(i) + ".flac", 5)];
    ASSERT_EQ(counts.size(), 5u);
    for (const auto& [shard, count] : counts) {
        EXPECT_GE(shard, 1u);
        EXPECT_LE(shard, 5u);
        EXPECT_NEAR(count, 2000, 200) << "shard " << shard;
    }
}

std::vector<std::string> paths_of(const std::vector<CheckInput>& inputs)
{
    std::vector<std::string> paths;
    for (const auto& input : inputs)
        paths.push_back(input.path.string());
    return paths;
}

TEST(Shards, SplitTheListingIntoDisjointPartsWhoseUnionIsTheWhole)
{
    const std::vector<fs::path> roots = {tree().root()};
    auto whole = paths_of(list_inputs(roots).inputs);
    std::sort(whole.begin(), whole.end());
    for (unsigned n = 1; n <= 5; ++n) {
        std::vector<std::string> joined;
        for (unsigned k = 1; k <= n; ++k) {
            const auto part = list_inputs(roots, {.shard = {k, n}});
            for (const auto& input : part.inputs)
                EXPECT_EQ(shard_of(input.relative, n), k) << input.path;
            const auto paths = paths_of(part.inputs);
            EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end(),
                                       [](const auto& a, const auto& b) { return fs::path(a).native() < fs::path(b).native(); }))
                << "a shard keeps the listing's order";
            joined.insert(joined.end(), paths.begin(), paths.end());
        }
        std::sort(joined.begin(), joined.end());
        EXPECT_EQ(joined, whole) << n << " shards: every file exactly once";
    }
}

TEST(Shards, GiveTheSameVerdictsAsTheWholeRun)
{
    const std::vector<fs::path> roots = {tree().root()};
    std::map<std::string, std::string> whole, sharded;
    for (const auto& line : without_times(tree_results()))
        whole[line.substr(0, line.find('|'))] = line;
    for (unsigned k = 1; k <= 3; ++k)
        for (const auto& line : without_times(check_all(list_inputs(roots, {.shard = {k, 3}}).inputs, with_jobs(2))))
            EXPECT_TRUE(sharded.emplace(line.substr(0, line.find('|')), line).second) << line;
    EXPECT_EQ(sharded, whole);
}

TEST(Shards, DoNotDependOnWhereTheTreeIsMounted)
{
    // The same tree under two different parents (two hosts' mount points) splits the same way.
    TempDir a, b;
    for (const auto& parent : {a / "mnt" / "music", b / "srv" / "nfs" / "library"}) {
        fs::create_directories(parent);
        fs::copy(tree().root(), parent, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    }
    for (unsigned k = 1; k <= 4; ++k) {
        std::vector<std::string> relative[2];
        int i = 0;
        for (const auto& parent : {a / "mnt" / "music", b / "srv" / "nfs" / "library"}) {
            const std::vector<fs::path> roots = {parent};
            for (const auto& input : list_inputs(roots, {.shard = {k, 4}}).inputs)
                relative[i].push_back(input.relative.string());
            ++i;
        }
        EXPECT_FALSE(relative[0].empty());
        EXPECT_EQ(relative[0], relative[1]) << "shard " << k;
    }
}

// --- Verdict cache ----------------------------------------------------------------------------

// A small tree of its own (the cache tests change files), checked through a cache with every
// decode counted: `check` is check_file behind a counter, so "cached" cannot be claimed
// without skipping the real work.
class CacheTest : public ::testing::Test {
protected:
    TempDir dir;
    fs::path music = dir / "music";
    fs::path cache_file = dir / "verdicts.sqlite";
    std::atomic<int> decoded{0};
    std::set<std::string> decoded_paths;
    std::mutex mutex;

    void SetUp() override
    {
        fs::create_directories(music);
        for (const char* name : {"wav16", "flac16", "vorbis", "opus", "mp3"})
            fs::copy_file(tree().root() / "good" / (name + fixture_format(name).extension),
                          music / (std::string(name) + fixture_format(name).extension));
        fs::copy_file(tree().root() / "truncated" / "flac16_50.flac", music / "cut.flac");
    }

    std::vector<CheckResult> run(const CacheOptions& options = {})
    {
        decoded = 0;
        decoded_paths.clear();
        const std::vector<fs::path> roots = {music};
        CheckAllOptions check_options = with_jobs(2);
        check_options.check = [this](std::size_t, const CheckInput& input) {
            ++decoded;
            const std::lock_guard lock(mutex);
            decoded_paths.insert(input.path.filename().string());
            return check_file(input.path);
        };
        auto cache = VerdictCache::open(cache_file);
        return check_all(list_inputs(roots).inputs, check_options, cache, options);
    }
};

TEST_F(CacheTest, AnUnchangedRerunDecodesNothing)
{
    const auto first = run();
    EXPECT_EQ(decoded, 6);
    EXPECT_TRUE(std::none_of(first.begin(), first.end(), [](const auto& r) { return r.cached; }));
    const auto second = run();
    EXPECT_EQ(decoded, 0);
    EXPECT_TRUE(std::all_of(second.begin(), second.end(), [](const auto& r) { return r.cached; }));
    EXPECT_EQ(without_times(second), without_times(first)) << "the same verdicts, paths and measurements";
    EXPECT_EQ(VerdictCache::open(cache_file).entries(), 6u);
}

TEST_F(CacheTest, ChangedFilesAreDecodedAgain)
{
    run();
    // Touched: same bytes, new mtime (and ctime).
    fs::last_write_time(music / "wav16.wav", fs::last_write_time(music / "wav16.wav") + std::chrono::seconds(5));
    // Cut in place.
    fs::resize_file(music / "flac16.flac", fs::file_size(music / "flac16.flac") / 2);
    // Replaced by another file through a rename (a new inode), mtime set back to the old one's.
    const auto old_mtime = fs::last_write_time(music / "vorbis.ogg");
    fs::copy_file(tree().root() / "corrupt" / "vorbis_flip30.ogg", dir / "new.ogg");
    fs::last_write_time(dir / "new.ogg", old_mtime);
    fs::rename(dir / "new.ogg", music / "vorbis.ogg");
    // Renamed: the verdict belongs to the old path.
    fs::rename(music / "mp3.mp3", music / "renamed.mp3");
    // Rewritten in place with the same size and mtime: only ctime shows it.
    {
        auto bytes = read_bytes(music / "opus.opus");
        const auto mtime = fs::last_write_time(music / "opus.opus");
        bytes[bytes.size() / 2] ^= std::byte{0x40};
        write_bytes(music / "opus.opus", bytes);
        fs::last_write_time(music / "opus.opus", mtime);
    }
    const auto results = run();
    EXPECT_EQ(decoded_paths, (std::set<std::string>{"wav16.wav", "flac16.flac", "vorbis.ogg", "renamed.mp3", "opus.opus"}));
    for (const auto& r : results) {
        const auto name = r.path.filename().string();
        EXPECT_EQ(r.cached, name == "cut.flac") << name;
        if (name == "flac16.flac") {
            EXPECT_EQ(r.category, CheckCategory::truncated);
        }
        if (name == "vorbis.ogg" || name == "opus.opus") {
            EXPECT_EQ(r.category, CheckCategory::decode) << r.message;
        }
    }
    run();
    EXPECT_EQ(decoded, 0) << "and cached again after that";
}

// Moves every recorded verdict of files named `name` back in time, as if checked days ago.
void age_entries(const fs::path& cache_file, const std::string& like, int days)
{
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(cache_file.c_str(), &db), SQLITE_OK);
    const std::string sql = "UPDATE verdicts SET checked_at = checked_at - " + std::to_string(days * 86400) +
                            " WHERE CAST(path AS TEXT) LIKE '%" + like + "'";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    EXPECT_EQ(sqlite3_changes(db), 1);
    sqlite3_close(db);
}

TEST_F(CacheTest, RecheckAfterDecodesOldVerdictsAgain)
{
    run();
    age_entries(cache_file, "/flac16.flac", 10);
    age_entries(cache_file, "/opus.opus", 3);
    run({.recheck_after = std::chrono::days(7)});
    EXPECT_EQ(decoded_paths, std::set<std::string>{"flac16.flac"});
    run({.recheck_after = std::chrono::days(7)});
    EXPECT_EQ(decoded, 0) << "its new verdict is fresh";
    run({.recheck_after = std::chrono::days(2)});
    EXPECT_EQ(decoded_paths, std::set<std::string>{"opus.opus"});
}

TEST_F(CacheTest, TwoCachesOnOneFileAtOnceLoseNothing)
{
    // Two connections in two threads (the CLI test does it with two processes), each checking
    // the whole tree through the same file while the other writes.
    std::vector<std::thread> runs;
    std::vector<std::vector<CheckResult>> results(2);
    for (int i = 0; i < 2; ++i)
        runs.emplace_back([&, i] {
            auto cache = VerdictCache::open(cache_file);
            const std::vector<fs::path> roots = {music};
            results[i] = check_all(list_inputs(roots).inputs, with_jobs(1), cache, {});
        });
    for (auto& thread : runs)
        thread.join();
    EXPECT_EQ(without_times(results[0]), without_times(results[1]));
    run();
    EXPECT_EQ(decoded, 0);
}

TEST_F(CacheTest, AFileThatIsNoCacheFailsAndStaysAsItWas)
{
    const auto unusable = [&](const fs::path& file) {
        const auto before = read_bytes(file);
        try {
            VerdictCache::open(file);
            ADD_FAILURE() << file << " opened as a cache";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::invalid_argument);
            EXPECT_EQ(e.subject(), file.string());
            EXPECT_EQ(e.cause().find('\n'), std::string::npos) << "one line: " << e.cause();
            std::cout << "  " << e.what() << '\n';
        }
        EXPECT_EQ(read_bytes(file), before) << file << " was changed";
    };
    // Not a database at all (an audio file given by mistake).
    unusable(music / "wav16.wav");
    // Another program's database.
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open((dir / "other.db").c_str(), &db), SQLITE_OK);
        sqlite3_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1)", nullptr, nullptr, nullptr);
        sqlite3_close(db);
        unusable(dir / "other.db");
    }
    // A cache damaged in the middle (a page overwritten).
    {
        run();
        auto bytes = read_bytes(cache_file);
        ASSERT_GE(bytes.size(), 8192u);  // the header page and the verdicts
        for (std::size_t i = 8192 - 600; i < 8192 - 100; ++i)  // where the page's cells are
            bytes[i] = std::byte{0xA5};
        write_bytes(dir / "damaged.sqlite", bytes);
        unusable(dir / "damaged.sqlite");
    }
    // Cut short.
    {
        auto bytes = read_bytes(cache_file);
        bytes.resize(bytes.size() / 2);
        write_bytes(dir / "cut.sqlite", bytes);
        unusable(dir / "cut.sqlite");
    }
}

}  // namespace
}  // namespace tonearm::test
