#include "man_page.hpp"

#include <sstream>

namespace tonearm::docs {
namespace {

// Text for roff: backslashes escaped, a leading dot or quote defused, and hyphens that start
// an option (or sit in one) written \- so they copy and paste as ASCII.
std::string roff(const std::string& text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool line_start = i == 0 || text[i - 1] == '\n';
        if (line_start && (c == '.' || c == '\''))
            out += "\\&";
        if (c == '\\') {
            out += "\\e";
        } else if (c == ',' && i + 1 < text.size() && text[i + 1] != ' ') {
            out += ",\\:";  // a break point in lists like "wav,flac,ogg"
        } else if (c == '-' && (line_start || text[i - 1] == ' ' || text[i - 1] == '-' || text[i - 1] == '(' ||
                                text[i - 1] == '/' || (i + 1 < text.size() && text[i + 1] == '-'))) {
            out += "\\-";
        } else {
            out += c;
        }
    }
    return out;
}

std::string bold(const std::string& text) { return "\\fB" + roff(text) + "\\fR"; }
std::string italic(const std::string& text) { return "\\fI" + roff(text) + "\\fR"; }

std::string value_text(const OptionModel& option)
{
    if (!option.choices.empty()) {
        std::string text;
        for (const auto& choice : option.choices)
            text += (text.empty() ? "" : "|") + choice;
        return italic(text);
    }
    return italic(option.value);
}

std::string option_heading(const OptionModel& option)
{
    if (option.positional)
        return italic(option.value) + (option.repeatable ? "\\&..." : "");
    std::string heading;
    for (const auto& name : option.names)
        heading += (heading.empty() ? "" : ", ") + bold(name);
    if (!option.value.empty())
        heading += " " + value_text(option);
    return heading;
}

std::string positional_synopsis(const OptionModel& positional)
{
    const std::string name = italic(positional.value.empty() ? positional.names.front() : positional.value) +
                             (positional.repeatable ? "\\&..." : "");
    return positional.required ? name : "[" + name + "]";
}

void write_options(std::ostream& out, const std::vector<OptionModel>& options)
{
    for (const auto& option : options) {
        out << ".TP\n" << option_heading(option) << "\n" << roff(option.description);
        if (!option.description.empty() && option.description.back() != '.')
            out << ".";
        out << "\n";
    }
}

// Text laid out for a terminal (--help footers, the environment and exit code tables), as
// roff: "NAME  text" lines (a word, then two spaces or more) become a tagged list, indented
// lines continue the entry above or, after plain text, an indented block; other lines are
// prose, filled, with a line break kept after each that ends a sentence or clause.
void write_text_block(std::ostream& out, const std::string& laid_out)
{
    enum class Last { text, entry, block } last = Last::text;
    std::istringstream lines(laid_out);
    std::string line;
    while (std::getline(lines, line)) {
        const auto start = line.find_first_not_of(' ');
        if (start == std::string::npos) {
            if (last == Last::block)
                out << ".RE\n";
            out << ".PP\n";
            last = Last::text;
            continue;
        }
        const auto gap = line.find("  ", start);
        const auto entry_text = gap == std::string::npos ? gap : line.find_first_not_of(' ', gap);
        const bool entry = entry_text != std::string::npos;
        if (last == Last::block && (entry || start == 0))
            out << ".RE\n";
        if (entry) {
            out << ".TP\n" << bold(line.substr(start, gap - start)) << "\n" << roff(line.substr(entry_text)) << "\n";
            last = Last::entry;
        } else if (start > 0 && last == Last::entry) {
            out << roff(line.substr(start)) << "\n";
        } else if (start > 0) {
            if (last != Last::block)
                out << ".RS\n";
            out << roff(line.substr(start)) << "\n";
            last = Last::block;
        } else {
            const bool clause_end = line.ends_with('.') || line.ends_with(':') || line.ends_with(';');
            out << (last == Last::entry ? ".PP\n" : "") << roff(line) << (clause_end ? "\n.br\n" : "\n");
            last = Last::text;
        }
    }
    if (last == Last::block)
        out << ".RE\n";
}

void write_command(std::ostream& out, const CommandModel& command)
{
    out << ".SS " << bold("tonearm " + command.name);
    if (!command.options.empty())
        out << " [" << italic("OPTIONS") << "]";
    for (const auto& positional : command.positionals)
        out << " " << positional_synopsis(positional);
    out << "\n" << roff(command.description) << ".\n";
    write_options(out, command.positionals);
    write_options(out, command.options);
    if (!command.footer.empty()) {
        out << ".PP\n";
        write_text_block(out, command.footer);
    }
}

}  // namespace

std::string man_page(const CliModel& cli, const ManPageTexts& texts)
{
    std::ostringstream out;
    out << ".\\\" Generated by tonearm_docs from tonearm's command-line definitions: do not edit.\n"
        << ".TH TONEARM 1 \"\" \"" << roff(texts.version) << "\" \"User Commands\"\n"
        // Ragged right: long lists (check's extensions) cannot be justified without gaps.
        << ".ad l\n"
        << ".SH NAME\n"
        << "tonearm \\- " << roff(cli.global.description.substr(cli.global.description.find(" - ") + 3)) << "\n"
        << ".SH SYNOPSIS\n";
    for (const auto& command : cli.commands) {
        out << ".B tonearm\n[" << italic("GLOBAL OPTIONS") << "] " << bold(command.name);
        if (!command.options.empty())
            out << " [" << italic("OPTIONS") << "]";
        for (const auto& positional : command.positionals)
            out << " " << positional_synopsis(positional);
        out << "\n.br\n";
    }
    out << ".SH DESCRIPTION\n"
        << bold("tonearm") << " plays audio files gaplessly through the sound server, shows their format and "
        << "tags, decodes them to other formats, and checks whole trees of them for damage, the way "
        << bold("flac -t") << " does for FLAC. Logs go to standard error, results to standard output.\n"
        << ".SH GLOBAL OPTIONS\n"
        << "Given before the command.\n";
    write_options(out, cli.global.options);
    out << ".SH COMMANDS\n";
    for (const auto& command : cli.commands)
        write_command(out, command);
    out << ".SH TIME\n" << roff(texts.time_syntax) << "\n"
        << ".SH ENVIRONMENT\n";
    write_text_block(out, texts.environment);
    out << ".SH EXIT STATUS\n";
    write_text_block(out, texts.exit_codes.substr(texts.exit_codes.find('\n') + 1));
    out << ".SH FILES\n.TP\n" << italic("../share/tonearm/demo.flac") << "\n"
        << "The demo " << bold("play") << " plays when given no file, found from the directory of the "
        << bold("tonearm") << " binary (with " << italic("/usr/bin/tonearm") << ": "
        << italic("/usr/share/tonearm/demo.flac") << ").\n"
        << ".SH EXAMPLES\n";
    for (const auto& [command, what] : texts.examples)
        out << ".TP\n" << bold(command) << "\n" << roff(what) << "\n";
    out << ".SH SEE ALSO\n"
        << bold("mpv") << "(1), " << bold("ffmpeg") << "(1), " << bold("flac") << "(1), " << bold("playerctl")
        << "(1)\n";
    return out.str();
}

}  // namespace tonearm::docs
