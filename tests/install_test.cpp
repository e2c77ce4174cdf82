// tonearm installed the way a user installs it: `cmake --install` into a temporary prefix, the
// prefix moved elsewhere and run from / with the source and build trees hidden; its man page
// rendered by man(1); its completions typed into bash, zsh and fish on a terminal.
#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/pty_process.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace tonearm::test {
namespace {

using namespace std::chrono_literals;

class Installed : public ::testing::Test {
protected:
    TempDir dir;
    std::filesystem::path prefix = dir / "prefix";

    void SetUp() override
    {
        const auto result = run_process({TONEARM_CMAKE, "--install", TONEARM_BUILD_DIR, "--prefix", prefix.string()},
                                        {.timeout = 120s, .env = {}});
        ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    }
    std::string tonearm() const { return (prefix / "bin" / "tonearm").string(); }
};

TEST_F(Installed, ThePrefixHoldsTheBinaryDemoManPageAndCompletions)
{
    for (const char* file : {"bin/tonearm", "lib/tonearm/tonearm-ffmpeg.so", "share/tonearm/demo.flac", "share/man/man1/tonearm.1.gz",
                             "share/bash-completion/completions/tonearm", "share/zsh/site-functions/_tonearm",
                             "share/fish/vendor_completions.d/tonearm.fish"})
        EXPECT_TRUE(std::filesystem::is_regular_file(prefix / file)) << file;
}

// Runs `script` (sh) in a private mount namespace where `hidden` directories are empty.
// Without namespaces (an unprivileged container) the result says so in `err`.
ProcessResult run_with_hidden(const std::vector<std::filesystem::path>& hidden, const std::string& script)
{
    std::string mounts;
    for (const auto& path : hidden)
        mounts += "mount -t tmpfs tmpfs '" + path.string() + "' && ";
    const std::string body = mounts + script;
    for (const auto& unshare : {std::vector<std::string>{"unshare", "--mount"},
                                std::vector<std::string>{"unshare", "--user", "--map-root-user", "--mount"}}) {
        auto argv = unshare;
        argv.insert(argv.end(), {"sh", "-c", body});
        auto result = run_process(argv, {.timeout = 120s, .env = {}});
        if (result.err.find("unshare failed") == std::string::npos)
            return result;
    }
    ProcessResult none;
    none.err = "no mount namespace: unshare failed";
    return none;
}

TEST_F(Installed, RunsFromAnywhereWithTheSourceTreeGone)
{
    // Moved after installing: nothing may point back at the install prefix either.
    const auto moved = dir / "moved";
    std::filesystem::copy(prefix, moved, std::filesystem::copy_options::recursive);
    std::filesystem::remove_all(prefix);

    std::vector<std::filesystem::path> hidden = {TONEARM_SOURCE_DIR};
    if (!std::string_view(TONEARM_BUILD_DIR).starts_with(TONEARM_SOURCE_DIR))
        hidden.emplace_back(TONEARM_BUILD_DIR);
    // An M4A: its FFmpeg part is loaded from beside the moved binary.
    const std::vector<float> tone(2 * 4410, 0.25f);
    const auto m4a = write_ffmpeg_fixture(dir.path(), "tone", ffmpeg_fixture("aac_m4a"), tone);
    const std::string binary = (moved / "bin" / "tonearm").string();
    const auto result = run_with_hidden(
        hidden, "test ! -e '" + std::string(TONEARM_SOURCE_DIR) + "/CMakeLists.txt' && cd / && NO_COLOR=1 '" + binary +
                    "' -v play --null && '" + binary + "' info '" + (moved / "share/tonearm/demo.flac").string() +
                    "' '" + m4a.string() + "'");
    if (result.err.find("no mount namespace") != std::string::npos)
        GTEST_SKIP() << "this machine allows no mount namespace, so the source tree cannot be hidden";
    ASSERT_EQ(result.exit_code, 0) << result.err;
    // With no file, play plays the demo installed beside the binary.
    EXPECT_NE(result.err.find("playing " + (moved / "share/tonearm/demo.flac").string()), std::string::npos)
        << result.err;
    EXPECT_NE(result.out.find("FLAC"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("AAC"), std::string::npos) << result.out;
}

TEST_F(Installed, WithoutTheDemoPlaySaysWhereItLookedAndExitsOne)
{
    std::filesystem::remove(prefix / "share/tonearm/demo.flac");
    const auto result = run_process({tonearm(), "play", "--null"}, {.env = {{"NO_COLOR", "1"}}});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find((prefix / "share/tonearm/demo.flac").string()), std::string::npos) << result.err;
    EXPECT_EQ(diagnostic_lines(result.err), 1u) << result.err;
}

// ---- the man page ----------------------------------------------------------------------------

// Every option --help lists, for the top level and each command.
std::set<std::string> help_options(const std::string& tonearm)
{
    std::set<std::string> options;
    const std::regex option_pattern(R"((^|[ ,])(--?[a-z][a-z-]*))");
    for (const char* command : {"", "play", "info", "decode", "check", "devices"}) {
        std::vector<std::string> argv = {tonearm};
        if (*command)
            argv.emplace_back(command);
        argv.emplace_back("--help");
        const auto help = run_process(argv).out;
        // Only the option list: footers mention options of other commands in passing.
        const auto list = help.substr(0, help.find("\n\n", help.find("Options:")));
        for (std::sregex_iterator it(list.begin(), list.end(), option_pattern), end; it != end; ++it)
            options.insert((*it)[2]);
    }
    return options;
}

TEST_F(Installed, ManRendersThePageWithEveryCommandAndEveryOptionOfHelp)
{
    const auto page = (prefix / "share/man/man1/tonearm.1.gz").string();
    const auto man = run_process({"man", "--warnings", "-l", page},
                                 {.env = {{"MANWIDTH", "80"}, {"LC_ALL", "C"}, {"MANPAGER", "cat"}}});
    ASSERT_EQ(man.exit_code, 0) << man.err;
    EXPECT_EQ(man.err, "") << "groff has no warning for the page";
    const std::string& text = man.out;
    for (const char* section : {"NAME", "SYNOPSIS", "DESCRIPTION", "GLOBAL OPTIONS", "COMMANDS", "TIME", "ENVIRONMENT",
                                "EXIT STATUS", "FILES", "EXAMPLES", "SEE ALSO"})
        EXPECT_NE(text.find("\n" + std::string(section) + "\n"), std::string::npos) << section << "\n" << text;
    for (const char* command : {"tonearm play", "tonearm info", "tonearm decode", "tonearm check", "tonearm devices"})
        EXPECT_NE(text.find(command), std::string::npos) << command;
    for (const char* time : {"90", "1:30", "1:02:03.5", "1500ms", "2.5s"})
        EXPECT_NE(text.find(time), std::string::npos) << time;
    for (const char* word : {"NO_COLOR", "TONEARM_DEMO", "130", "no audio output", "p, <",
                             "org.mpris.MediaPlayer2.tonearm"})
        EXPECT_NE(text.find(word), std::string::npos) << word;

    const auto options = help_options(tonearm());
    EXPECT_GT(options.size(), 20u);
    for (const auto& option : options)
        EXPECT_NE(text.find(option), std::string::npos) << option << " is in --help but not in the man page";
}

// ---- completions, typed into each shell on a terminal ----------------------------------------

constexpr const char* prompt = "READY> ";

class Completion : public Installed {
protected:
    std::filesystem::path home = dir / "home";

    std::map<std::string, std::string> shell_env() const
    {
        std::filesystem::create_directories(home);
        return {{"HOME", home.string()},
                {"PATH", (prefix / "bin").string() + ":" + std::getenv("PATH")},
                {"PS1", prompt},
                {"XDG_CONFIG_HOME", (home / "config").string()},
                {"XDG_DATA_HOME", (home / "data").string()},
                {"XDG_DATA_DIRS", (prefix / "share").string() + ":/usr/share"}};
    }

    static void run_line(PtyProcess& shell, const std::string& line)
    {
        const auto from = shell.output().size();
        shell.type(line + "\r");
        EXPECT_TRUE(shell.wait_for_output(prompt, 60s, from)) << "no prompt after " << line << ":\n" << shell.output();
    }

    // Types `partial` and a Tab, then has the shell print the words on the line, '|' after
    // each: "tonearm|check|" when "tonearm ch" completed to "tonearm check ".
    static std::string complete(PtyProcess& shell, const std::string& partial, const std::string& inserted)
    {
        auto from = shell.output().size();
        shell.type(partial + "\t");
        shell.wait_for_output(inserted, 10s, from);  // typing on before the shell answered could race
        from = shell.output().size();
        shell.type("\x01printf '%s|' \r");  // Ctrl-A: to the start of the line
        shell.wait_for_output(prompt, 30s, from);
        const std::string& output = shell.output();
        const auto end = output.find(prompt, from);
        return output.substr(from, end == std::string::npos ? std::string::npos : end - from);
    }

    void expect_completions(PtyProcess& shell)
    {
        EXPECT_NE(complete(shell, "tonearm ch", "eck").find("tonearm|check|"), std::string::npos) << shell.output();
        EXPECT_NE(complete(shell, "tonearm check --for", "mat").find("tonearm|check|--format|"), std::string::npos)
            << shell.output();
        // An option's values, and files filtered to audio for the arguments.
        EXPECT_NE(complete(shell, "tonearm check --format js", "on").find("|--format|json"), std::string::npos)
            << shell.output();
        std::filesystem::create_directories(home / "music");
        write_bytes(home / "music" / "song.flac", {});
        write_bytes(home / "music" / "song.txt", {});
        run_line(shell, "cd ~/music");
        EXPECT_NE(complete(shell, "tonearm play so", "ng").find("tonearm|play|song.flac|"), std::string::npos)
            << "only song.flac is an audio file: the completion is unique\n"
            << shell.output();
    }
};

TEST_F(Completion, Bash)
{
    PtyProcess shell({"bash", "--norc", "--noprofile", "-i"}, shell_env());
    ASSERT_TRUE(shell.wait_for_output(prompt, 30s)) << shell.output();
    run_line(shell, "source " + (prefix / "share/bash-completion/completions/tonearm").string());
    expect_completions(shell);
}

TEST_F(Completion, Zsh)
{
    PtyProcess shell({"zsh", "-f", "-i"}, shell_env());
    ASSERT_TRUE(shell.wait_for_output(prompt, 30s)) << shell.output();
    run_line(shell, "fpath=(" + (prefix / "share/zsh/site-functions").string() +
                        " $fpath); autoload -Uz compinit; compinit -u -d " + (home / "zcompdump").string());
    expect_completions(shell);
}

TEST_F(Completion, Fish)
{
    // fish finds the completion by itself in $XDG_DATA_DIRS/fish/vendor_completions.d.
    PtyProcess shell({"fish", "-i", "-C", std::string("function fish_prompt; printf '") + prompt + "'; end"},
                     shell_env());
    ASSERT_TRUE(shell.wait_for_output(prompt, 30s)) << shell.output();
    expect_completions(shell);
}

}  // namespace
}  // namespace tonearm::test
