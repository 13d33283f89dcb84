using System.Reflection;
using CommandLine;

namespace Sealer.Cli.Commands;

/// <summary>
/// Reads the command line: exactly one verb first (none is implied: a mistyped verb must never run another), then
/// its options through one parser, with the common options shared by every verb. Help and the version go to standard
/// output (exit 0); every usage error is one <see cref="UsageException"/> line naming the word (exit 2).
/// </summary>
internal static class VerbDispatcher
{
    public static readonly IReadOnlyList<VerbDefinition> Verbs =
    [
        VerbDefinition.Of<SealArguments>(
            ["sealer seal (-a IMAGE | --dir ROOTFS) [options]", "sealer seal --list-operations [--json]"],
            SealCommand.Run),
        VerbDefinition.Of<InspectArguments>(["sealer inspect (-a IMAGE | --dir ROOTFS) [options]"], InspectCommand.Run),
        VerbDefinition.Of<CheckArguments>(["sealer check (-a IMAGE | --dir ROOTFS) [options]"], CheckCommand.Run),
    ];

    private static readonly string VerbList = string.Join(", ", Verbs.Select(v => v.Name));

    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        if (args.Count == 0)
        {
            throw new UsageException($"no verb given: use one of {VerbList} (sealer --help)");
        }

        var first = args[0];
        if (first is "--help" or "-h" || (first == "help" && args.Count == 1))
        {
            UsageText.WriteTopLevel(output, Verbs);
            return ExitCodes.Success;
        }

        if (first == "--version")
        {
            output.WriteLine($"sealer {Version}");
            return ExitCodes.Success;
        }

        if (first == "help")
        {
            UsageText.WriteVerb(output, Find(args[1]));
            return ExitCodes.Success;
        }

        if (first.StartsWith('-'))
        {
            throw new UsageException($"no verb given before '{first}': use one of {VerbList} (sealer --help)");
        }

        var verb = Find(first);
        var rest = args.Skip(1).ToList();
        if (rest.Any(a => a is "--help" or "-h"))
        {
            UsageText.WriteVerb(output, verb);
            return ExitCodes.Success;
        }

        if (rest.Contains("--version"))
        {
            output.WriteLine($"sealer {Version}");
            return ExitCodes.Success;
        }

        return verb.Run(Parse(verb, args), output);
    }

    /// <summary>The informational version: "1.0.0+commit".</summary>
    public static string Version =>
        typeof(VerbDispatcher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VerbDispatcher).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    private static VerbDefinition Find(string name)
    {
        var verb = Verbs.FirstOrDefault(v => v.Name == name);
        if (verb is not null)
        {
            return verb;
        }

        var nearest = NearestWord.Find(name, Verbs.Select(v => v.Name));
        throw new UsageException($"unknown verb '{name}'" + (nearest is null ? $": use one of {VerbList}" : $" (did you mean '{nearest}'?)"));
    }

    private static CommonArguments Parse(VerbDefinition verb, IReadOnlyList<string> args)
    {
        using var parser = new Parser(settings =>
        {
            settings.HelpWriter = null;
            settings.AutoHelp = false;
            settings.AutoVersion = false;
            settings.CaseInsensitiveEnumValues = true;
        });
        RefuseMissingValues(verb, args);
        var result = parser.ParseArguments(args, verb.ArgumentsType);
        if (result is NotParsed<object> notParsed)
        {
            throw new UsageException(Describe(notParsed.Errors.First(), verb));
        }

        var arguments = (CommonArguments)((Parsed<object>)result).Value;
        var stray = arguments.StrayWords.FirstOrDefault();
        if (stray is not null)
        {
            var nearest = NearestWord.Find(stray, Verbs.Select(v => v.Name));
            throw new UsageException(nearest is null
                ? $"unexpected word '{stray}': {verb.Name} takes only options (sealer {verb.Name} --help)"
                : $"unexpected word '{stray}' after '{verb.Name}': give one verb only (did you mean '{nearest}'?)");
        }

        return arguments;
    }

    /// <summary>The parser would take the next option's name as the value ("--hostname -a img") or let a last
    /// "--hostname" pass with no value at all; both are usage errors.</summary>
    private static void RefuseMissingValues(VerbDefinition verb, IReadOnlyList<string> args)
    {
        var options = verb.Options;
        bool IsOptionName(string word) => options.Any(o =>
            word == $"--{o.Attribute.LongName}" || word.StartsWith($"--{o.Attribute.LongName}=", StringComparison.Ordinal)
            || (o.Attribute.ShortName.Length > 0 && word == $"-{o.Attribute.ShortName}"));
        for (var i = 1; i < args.Count; i++)
        {
            var option = options.FirstOrDefault(o => !o.IsSwitch
                && (args[i] == $"--{o.Attribute.LongName}" || (o.Attribute.ShortName.Length > 0 && args[i] == $"-{o.Attribute.ShortName}")));
            if (option is null)
            {
                continue;
            }

            if (i + 1 == args.Count || IsOptionName(args[i + 1]))
            {
                throw new UsageException($"option {option.LongSynopsis} needs a value");
            }

            i++;
        }
    }

    private static string Describe(Error error, VerbDefinition verb) => error switch
    {
        UnknownOptionError unknown => DescribeUnknownOption(unknown.Token, verb),
        MissingValueOptionError missing => $"option {Synopsis(missing.NameInfo, verb)} needs a value",
        BadFormatConversionError bad => $"option {Synopsis(bad.NameInfo, verb)}: the value is not valid",
        RepeatedOptionError repeated => $"option {Synopsis(repeated.NameInfo, verb)} is given more than once",
        SequenceOutOfRangeError range => $"option {Synopsis(range.NameInfo, verb)}: wrong number of values",
        BadFormatTokenError token => $"cannot read '{token.Token}'",
        _ => $"cannot read the arguments of {verb.Name} ({error.Tag})",
    };

    private static string DescribeUnknownOption(string token, VerbDefinition verb)
    {
        var typed = token.Length == 1 ? $"-{token}" : $"--{token}";
        var owner = Verbs.FirstOrDefault(v => v != verb && v.Options.Any(o => o.Attribute.LongName == token || o.Attribute.ShortName == token));
        if (owner is not null)
        {
            return $"option '{typed}' is not an option of {verb.Name} (it is one of {owner.Name})";
        }

        var nearest = token.Length > 1 ? NearestWord.Find(token, verb.Options.Select(o => o.Attribute.LongName)) : null;
        return $"unknown option '{typed}' for {verb.Name}" + (nearest is null ? $" (sealer {verb.Name} --help)" : $" (did you mean '--{nearest}'?)");
    }

    private static string Synopsis(NameInfo name, VerbDefinition verb)
    {
        var option = verb.Options.FirstOrDefault(o => o.Attribute.LongName == name.LongName);
        return option?.LongSynopsis ?? (name.LongName.Length > 0 ? $"--{name.LongName}" : $"-{name.ShortName}");
    }
}
