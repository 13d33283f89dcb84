using System.Text;

namespace Sealer.Cli.Commands;

/// <summary>The help text, generated from the verbs' [Verb] and [Option] attributes so it cannot drift from the parser.</summary>
internal static class UsageText
{
    private const int Width = 100;

    public static void WriteTopLevel(TextWriter output, IReadOnlyList<VerbDefinition> verbs)
    {
        var text = new StringBuilder();
        text.Append("Usage: sealer VERB [options]\n");
        text.Append("       sealer VERB --help\n");
        text.Append("       sealer --version\n\n");
        text.Append("Seal and clone Linux VM disk images offline: no VM, no root, no kernel driver.\n\n");
        text.Append("Verbs:\n");
        var column = verbs.Max(v => v.Name.Length) + 4;
        foreach (var verb in verbs)
        {
            AppendEntry(text, verb.Name, verb.HelpText, column);
        }

        text.Append("\nExit codes:\n");
        foreach (var (code, meaning) in ExitCodes.Descriptions)
        {
            AppendEntry(text, code.ToString(System.Globalization.CultureInfo.InvariantCulture), meaning, 6);
        }

        text.Append("\nRun 'sealer VERB --help' for the options of one verb.\n");
        output.Write(text.ToString());
    }

    public static void WriteVerb(TextWriter output, VerbDefinition verb)
    {
        var text = new StringBuilder();
        for (var i = 0; i < verb.Usage.Count; i++)
        {
            text.Append(i == 0 ? "Usage: " : "       ").Append(verb.Usage[i]).Append('\n');
        }

        text.Append('\n');
        AppendWrapped(text, verb.HelpText, 0);
        var options = verb.Options;
        var column = Math.Min(options.Max(o => o.Synopsis.Length) + 6, 32);
        var own = options.Where(o => !o.IsCommon).ToList();
        if (own.Count > 0)
        {
            text.Append($"\nOptions of {verb.Name}:\n");
            own.ForEach(o => AppendEntry(text, o.Synopsis, o.Attribute.HelpText, column));
        }

        text.Append("\nCommon options (seal, inspect, check):\n");
        options.Where(o => o.IsCommon).ToList().ForEach(o => AppendEntry(text, o.Synopsis, o.Attribute.HelpText, column));
        AppendEntry(text, "-h, --help", "Show this help and exit.", column);
        AppendEntry(text, "--version", "Show the version and exit.", column);
        output.Write(text.ToString());
    }

    /// <summary>"  name      help", the help wrapped to <see cref="Width"/> and indented to <paramref name="column"/>
    /// (on its own line when the name is wider than the column).</summary>
    private static void AppendEntry(StringBuilder text, string name, string help, int column)
    {
        var head = "  " + name;
        if (head.Length + 2 > column)
        {
            text.Append(head).Append('\n');
            AppendWrapped(text, help, column);
            return;
        }

        text.Append(head.PadRight(column));
        AppendWrapped(text, help, column, firstLineIndented: true);
    }

    private static void AppendWrapped(StringBuilder text, string words, int indent, bool firstLineIndented = false)
    {
        var line = new StringBuilder();
        var first = true;
        foreach (var word in words.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && indent + line.Length + 1 + word.Length > Width)
            {
                Flush();
            }

            line.Append(line.Length > 0 ? " " : string.Empty).Append(word);
        }

        Flush();

        void Flush()
        {
            if (line.Length == 0 && !first)
            {
                return;
            }

            text.Append(first && firstLineIndented ? string.Empty : new string(' ', indent)).Append(line).Append('\n');
            line.Clear();
            first = false;
        }
    }
}
