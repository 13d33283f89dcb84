namespace Sealer.Fuzz.Mutation;

/// <summary>A known integer field of an on-disk structure in a seed: where it is, how wide, which byte order.</summary>
public readonly record struct Field(int Offset, int Width, bool BigEndian);

/// <summary>A byte range of a seed that holds structure (headers, tables, metadata blocks), where mutations pay off.</summary>
public readonly record struct HotRange(int Offset, int Length);
