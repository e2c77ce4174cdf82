// tonearm_docs SHARE_DIR: writes tonearm(1) and the bash, zsh and fish completions under
// SHARE_DIR (laid out as an installed share/ directory), from the command-line definitions
// tonearm itself parses with. Run at build time; not installed.
#include "cli.hpp"
#include "completions.hpp"
#include "exit_codes.hpp"
#include "man_page.hpp"
#include "time_text.hpp"

#include "tonearm/atomic_file.hpp"
#include "tonearm/batch_check.hpp"
#include "tonearm/error.hpp"

#include <cstdio>
#include <unistd.h>

namespace {

using namespace tonearm;

void write_file(const std::filesystem::path& path, const std::string& text)
{
    std::filesystem::create_directories(path.parent_path());
    AtomicFile file(path);
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t written = write(file.fd(), text.data() + done, text.size() - done);
        if (written <= 0)
            throw Error(ErrorKind::write_failed, path.string(), "cannot write");
        done += static_cast<std::size_t>(written);
    }
    file.commit();
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: tonearm_docs SHARE_DIR\n");
        return 2;
    }
    try {
        CLI::App app{"", "tonearm"};
        cli::LogOptions log;
        cli::CommandContext context;
        cli::define_cli(app, context, log, stderr);
        const auto model = docs::describe(app, cli::common_footer());

        docs::ManPageTexts texts{cli::version_text(), cli::time_syntax_help, cli::environment_help,
                                 cli::exit_codes_help, {}};
        for (const auto& [command, what] : cli::examples)
            texts.examples.emplace_back(command, what);
        const auto extensions = InputListOptions::default_extensions();

        const std::filesystem::path share = argv[1];
        write_file(share / "man" / "man1" / "tonearm.1", docs::man_page(model, texts));
        write_file(share / "bash-completion" / "completions" / "tonearm", docs::bash_completion(model, extensions));
        write_file(share / "zsh" / "site-functions" / "_tonearm", docs::zsh_completion(model, extensions));
        write_file(share / "fish" / "vendor_completions.d" / "tonearm.fish", docs::fish_completion(model, extensions));
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "tonearm_docs: %s\n", error.what());
        return 1;
    }
}
