using System.Reflection;

namespace Sealer.TestSupport;

/// <summary>Where the repository is, recorded at build time (tests/Directory.Build.props).</summary>
public static class RepositoryPaths
{
    public static string Root { get; } =
        typeof(RepositoryPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "RepositoryRoot").Value!;

    public static string TestImages => Path.Combine(Root, "testimages");
}
