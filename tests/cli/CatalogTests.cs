using TceVerify.Cli.Infrastructure;
using Xunit;

namespace TceVerify.Tests.Cli;

/// <summary>catalog: the self-test's kill table.</summary>
public sealed class CatalogTests
{
    [Fact]
    public void Catalog_catches_the_entries_and_prints_the_kill_table()
    {
        var r = CliRunner.Run("catalog", "--only", "literal-map-end-unchecked", "--only", "literal-set-container-unlocked");
        Assert.True(r.Code == ExitCodes.Ok, r.ToString());
        Assert.Contains("literal-map-end-unchecked", r.Out);
        Assert.Contains("literal-set-container-unlocked", r.Out);
        Assert.Contains("caught", r.Out);
        Assert.Contains("2 of 2 entries caught", r.Out);
        CliRunner.AssertFits(r.Out);
    }

    [Fact]
    public void Catalog_json_output_parses()
    {
        var r = CliRunner.Run("catalog", "--format", "json", "--only", "literal-charge-window-bytes");
        Assert.True(r.Code == ExitCodes.Ok, r.ToString());
        var json = r.Json();
        Assert.Equal("catalog", json.GetProperty("command").GetString());
        Assert.Equal(1, json.GetProperty("caught").GetInt32());
        var row = json.GetProperty("rows")[0];
        Assert.Equal("literal-charge-window-bytes", row.GetProperty("name").GetString());
        Assert.Equal("caught", row.GetProperty("verdict").GetString());
    }

    [Fact]
    public void Catalog_lists_every_entry()
    {
        var r = CliRunner.Run("catalog", "--list", "--format", "json");
        Assert.True(r.Code == ExitCodes.Ok, r.ToString());
        Assert.Equal(TceVerify.Variants.VariantCatalog.Catalog.Count, r.Json().GetArrayLength());
    }

    [Fact]
    public void Catalog_reports_a_surviving_entry_with_exit_code_1()
    {
        // One schedule per scenario is not enough to catch the FIND-9 race: the entry survives this budget.
        var r = CliRunner.Run("catalog", "--only", "literal-ownership-without-pool-locks", "--schedules", "1");
        Assert.True(r.Code == ExitCodes.Failure, r.ToString());
        Assert.Contains("SURVIVED", r.Out);
    }
}
