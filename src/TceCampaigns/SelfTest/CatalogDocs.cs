using System.Globalization;
using System.Text;
using TceVerify.Variants;

namespace TceVerify.Campaigns;

/// <summary>
/// Keeps the generated parts of docs/catalog.md current: the text between <c>&lt;!-- catalog:begin --&gt;</c> and
/// <c>&lt;!-- catalog:end --&gt;</c> is the catalog table, between <c>&lt;!-- kill-table:begin --&gt;</c> and
/// <c>&lt;!-- kill-table:end --&gt;</c> the kill table with times; the rest of the file is hand-written.
/// </summary>
public static class CatalogDocs
{
    /// <summary>The command that regenerates them (tests/catalog checks that they match the catalog).</summary>
    public const string Command = "dotnet run -c Release --project src/TceCli -- catalog --write-docs docs/catalog.md";

    /// <summary>The text of one generated region of <paramref name="document"/> (null when it has none).</summary>
    public static string? Region(string document, string region)
    {
        string begin = $"<!-- {region}:begin -->", end = $"<!-- {region}:end -->";
        int b = document.IndexOf(begin, StringComparison.Ordinal), e = document.IndexOf(end, StringComparison.Ordinal);
        return b < 0 || e < b ? null : document[(b + begin.Length)..e].Trim('\n');
    }

    public static string CatalogSection(IEnumerable<Variant> catalog) => KillTable.CatalogMarkdown(catalog);

    public static string KillTableSection(IReadOnlyList<KillRow> rows, TimeSpan elapsed, IReadOnlyList<PristineRow> pristine, TimeSpan pristineElapsed)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Produced by `{Command}` ({Environment.ProcessorCount} cores; self-test {elapsed.TotalSeconds:0.0} s, pristine runs {pristineElapsed.TotalSeconds:0.0} s).");
        sb.AppendLine();
        sb.AppendLine(KillTable.Summary(rows) + ".");
        sb.AppendLine();
        sb.Append(KillTable.Markdown(rows));
        sb.AppendLine();
        sb.AppendLine("The pristine implementation under every check at once:");
        sb.AppendLine();
        sb.AppendLine("| suite | programs / scenario | result | work | time |");
        sb.AppendLine("|---|---|---|---|---:|");
        foreach (var p in pristine)
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {p.Suite} | {p.Target} | {(p.Passed ? "passed" : "**FAILED**: " + p.Failure)} | {p.Work} {p.WorkUnit} | {p.Elapsed.TotalSeconds:0.00} s |");
        return sb.ToString();
    }

    /// <summary>Replaces the generated regions of <paramref name="document"/> (appends them when missing).</summary>
    public static string Update(string document, IEnumerable<Variant> catalog, IReadOnlyList<KillRow> rows, TimeSpan elapsed,
        IReadOnlyList<PristineRow> pristine, TimeSpan pristineElapsed)
    {
        document = Replace(document, "catalog", CatalogSection(catalog));
        return Replace(document, "kill-table", KillTableSection(rows, elapsed, pristine, pristineElapsed));
    }

    static string Replace(string document, string region, string body)
    {
        string begin = $"<!-- {region}:begin -->", end = $"<!-- {region}:end -->";
        int b = document.IndexOf(begin, StringComparison.Ordinal), e = document.IndexOf(end, StringComparison.Ordinal);
        string block = begin + "\n" + body.TrimEnd('\n') + "\n" + end;
        if (b < 0 || e < b) return document.TrimEnd('\n') + "\n\n" + block + "\n";
        return document[..b] + block + document[(e + end.Length)..];
    }
}
