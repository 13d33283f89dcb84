using NUnit.Framework;

namespace Sealer.Lvm.Tests;

/// <summary>
/// Where each LV's bytes live, computed only from what the LVM tools report (<c>lvs</c> segment rows with
/// <c>seg_pe_ranges</c>, <c>pvs</c> pe_start), independently of Sealer.Lvm.
/// </summary>
internal sealed class OracleLayout
{
    private readonly Dictionary<string, List<Segment>> _segments = [];
    private readonly Dictionary<string, (int Disk, long PeStart)> _pvs = [];

    public OracleLayout(LvmLab lab)
    {
        ExtentBytes = LvmLab.Long(lab.Report("vgs", "vg_extent_size", lab.VgName)[0][0]);
        foreach (var row in lab.Report("pvs", "pv_name,pe_start"))
        {
            _pvs[row[0]] = (lab.Loops.ToList().IndexOf(row[0]), LvmLab.Long(row[1]));
        }

        foreach (var row in lab.Report("lvs", "lv_name,seg_start_pe,seg_size_pe,stripes,stripe_size,seg_pe_ranges", lab.VgName))
        {
            var ranges = row[5].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(r =>
                {
                    var colon = r.LastIndexOf(':');
                    var span = r[(colon + 1)..].Split('-');
                    return (Pv: r[..colon], First: LvmLab.Long(span[0]), Last: LvmLab.Long(span[1]));
                })
                .ToList();
            if (!_segments.TryGetValue(row[0], out var list))
            {
                _segments[row[0]] = list = [];
            }

            list.Add(new Segment(LvmLab.Long(row[1]), LvmLab.Long(row[2]), (int)LvmLab.Long(row[3]), LvmLab.Long(row[4]), ranges));
        }
    }

    public long ExtentBytes { get; }

    public long SizeOf(string lv) => _segments[lv].Sum(s => s.Extents) * ExtentBytes;

    /// <summary>For each 512-byte sector of the LV in order: (disk index, byte offset on that disk).</summary>
    public List<(int Disk, long Offset)> Sectors(string lv)
    {
        var result = new List<(int, long)>();
        foreach (var seg in _segments[lv].OrderBy(s => s.StartPe))
        {
            var bytes = seg.Extents * ExtentBytes;
            for (long o = 0; o < bytes; o += 512)
            {
                int stripe;
                long inArea;
                if (seg.Stripes == 1)
                {
                    stripe = 0;
                    inArea = o;
                }
                else
                {
                    var chunk = o / seg.StripeBytes;
                    stripe = (int)(chunk % seg.Stripes);
                    inArea = (chunk / seg.Stripes * seg.StripeBytes) + (o % seg.StripeBytes);
                }

                var range = seg.Ranges[stripe];
                var pv = _pvs[range.Pv];
                Assert.That(inArea, Is.LessThan((range.Last - range.First + 1) * ExtentBytes));
                result.Add((pv.Disk, pv.PeStart + (range.First * ExtentBytes) + inArea));
            }
        }

        return result;
    }

    private sealed record Segment(long StartPe, long Extents, int Stripes, long StripeBytes, List<(string Pv, long First, long Last)> Ranges);
}
