using System.Reflection;
using CommandLine;

namespace Sealer.Cli.Commands;

/// <summary>One verb of the command line: its name and help from the <see cref="VerbAttribute"/> of its arguments
/// type, its usage lines, and what runs it.</summary>
internal sealed record VerbDefinition(string Name, string HelpText, Type ArgumentsType, IReadOnlyList<string> Usage, Func<CommonArguments, TextWriter, int> Run)
{
    public static VerbDefinition Of<T>(IReadOnlyList<string> usage, Func<T, TextWriter, int> run)
        where T : CommonArguments
    {
        var verb = typeof(T).GetCustomAttribute<VerbAttribute>()
            ?? throw new InvalidOperationException($"{typeof(T).Name} has no [Verb]");
        return new VerbDefinition(verb.Name, verb.HelpText, typeof(T), usage, (arguments, output) => run((T)arguments, output));
    }

    /// <summary>Every option of the verb, the verb's own first, then the common ones, each in declaration order.</summary>
    public IReadOnlyList<VerbOption> Options =>
        ArgumentsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Option: p.GetCustomAttribute<OptionAttribute>()))
            .Where(p => p.Option is { Hidden: false })
            .OrderBy(p => p.Property.DeclaringType == ArgumentsType ? 0 : 1)
            .ThenBy(p => p.Property.MetadataToken)
            .Select(p => new VerbOption(p.Option!, p.Property.PropertyType == typeof(bool), p.Property.DeclaringType != ArgumentsType))
            .ToList();
}

/// <summary>One option as help and error messages show it.</summary>
internal sealed record VerbOption(OptionAttribute Attribute, bool IsSwitch, bool IsCommon)
{
    /// <summary>"-a, --add IMAGE", "--hostname NAME", "-n, --dry-run".</summary>
    public string Synopsis
    {
        get
        {
            var names = Attribute.ShortName.Length > 0 ? $"-{Attribute.ShortName}, --{Attribute.LongName}" : $"--{Attribute.LongName}";
            return IsSwitch ? names : $"{names} {Attribute.MetaValue ?? "VALUE"}";
        }
    }

    /// <summary>"--hostname NAME" (the long name only).</summary>
    public string LongSynopsis => IsSwitch ? $"--{Attribute.LongName}" : $"--{Attribute.LongName} {Attribute.MetaValue ?? "VALUE"}";
}
