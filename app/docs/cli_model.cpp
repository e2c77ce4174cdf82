#include "cli_model.hpp"

#include <algorithm>

namespace tonearm::docs {
namespace {

std::vector<std::string> split(const std::string& text, char separator)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t end; (end = text.find(separator, start)) != std::string::npos; start = end + 1)
        parts.push_back(text.substr(start, end - start));
    parts.push_back(text.substr(start));
    return parts;
}

bool is_value_word(const std::string& text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return (c >= 'A' && c <= 'Z') || c == '|'; });
}

// CLI11 reports "TEXT:{a,b}" (a type and a check) or "TEXT:TIME" (a check that names the
// value): the most telling name, and the choices when there are some.
void read_type(const CLI::Option& option, OptionModel& model)
{
    const auto parts = split(option.get_type_name(), ':');
    model.value = parts.front();
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const auto& part = parts[i];
        if (part.size() > 2 && part.front() == '{' && part.back() == '}')
            model.choices = split(part.substr(1, part.size() - 2), ',');
        else if (model.value == "TEXT" && is_value_word(part))
            model.value = part;
    }
    model.file = model.value == "FILE" || model.value == "PATH";
}

OptionModel describe(const CLI::Option& option)
{
    OptionModel model;
    model.description = option.get_description();
    model.required = option.get_required();
    model.positional = !option.nonpositional();
    if (model.positional) {
        model.names = {option.get_name(true)};
        model.repeatable = option.get_items_expected_max() > 1;
        read_type(option, model);
        return model;
    }
    for (const auto& name : option.get_snames())
        model.names.push_back("-" + name);
    for (const auto& name : option.get_lnames())
        model.names.push_back("--" + name);
    if (option.get_type_size() > 0)
        read_type(option, model);
    model.repeatable = option.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll ||
                       (model.value.empty() && option.get_expected_max() > 1);
    return model;
}

CommandModel describe_command(const CLI::App& app, const std::string& common_footer)
{
    CommandModel model;
    model.name = app.get_name();
    model.description = app.get_description();
    model.footer = app.get_footer();
    if (model.footer.ends_with(common_footer))
        model.footer.erase(model.footer.size() - common_footer.size());
    while (!model.footer.empty() && model.footer.back() == '\n')
        model.footer.pop_back();
    for (const CLI::Option* option : app.get_options()) {
        auto described = describe(*option);
        (described.positional ? model.positionals : model.options).push_back(std::move(described));
    }
    return model;
}

}  // namespace

CliModel describe(const CLI::App& app, const std::string& common_footer)
{
    CliModel model;
    model.global = describe_command(app, common_footer);
    model.global.name.clear();
    for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; }))
        model.commands.push_back(describe_command(*command, common_footer));
    return model;
}

}  // namespace tonearm::docs
