using System.Runtime.CompilerServices;
using System.Text;

namespace TceVerify.TestKit.Approvals;

/// <summary>
/// Approval (snapshot) files in Verify's manner: the expected text lives in
/// <c>Snapshots/{TestFile}.{Method}[_{name}].verified.txt</c> beside the test source; a mismatch writes the
/// actual text to the matching <c>.received.txt</c> and fails with the first difference and the command that
/// accepts it. <c>TCEVERIFY_ACCEPT=1</c> overwrites the verified file (and still fails, so the change is seen),
/// except when <c>CI=true</c>.
/// </summary>
public static class Approvals
{
    public const string AcceptVariable = "TCEVERIFY_ACCEPT";

    public static void Verify(string actual, string? name = null, [CallerFilePath] string file = "", [CallerMemberName] string member = "")
    {
        var dir = Path.Combine(Path.GetDirectoryName(file)!, "Snapshots");
        var stem = $"{Path.GetFileNameWithoutExtension(file)}.{member}{(name is null ? "" : "_" + name)}";
        var verified = Path.Combine(dir, stem + ".verified.txt");
        var received = Path.Combine(dir, stem + ".received.txt");
        var text = Normalize(actual);
        var expected = File.Exists(verified) ? Normalize(File.ReadAllText(verified)) : null;
        if (expected == text)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        Directory.CreateDirectory(dir);
        bool accept = Environment.GetEnvironmentVariable(AcceptVariable) == "1" && Environment.GetEnvironmentVariable("CI") != "true";
        File.WriteAllText(accept ? verified : received, text, new UTF8Encoding(false));
        throw new ApprovalException(Describe(verified, received, expected, text, accept));
    }

    static string Normalize(string s) => s.Replace("\r\n", "\n").TrimEnd('\n') + "\n";

    static string Describe(string verified, string received, string? expected, string actual, bool accepted)
    {
        var sb = new StringBuilder();
        sb.AppendLine(expected is null ? $"No verified file yet: {verified}" : $"Text differs from {verified}");
        if (expected is not null)
        {
            var e = expected.Split('\n');
            var a = actual.Split('\n');
            int i = 0;
            while (i < e.Length && i < a.Length && e[i] == a[i]) i++;
            sb.AppendLine($"First difference at line {i + 1}:");
            for (int k = Math.Max(0, i - 3); k < Math.Min(Math.Max(e.Length, a.Length), i + 4); k++)
            {
                string el = k < e.Length ? e[k] : "<end>", al = k < a.Length ? a[k] : "<end>";
                sb.AppendLine(el == al ? $"    {el}" : $"  - {el}\n  + {al}");
            }
        }
        sb.AppendLine(accepted
            ? "Accepted: the verified file was overwritten (TCEVERIFY_ACCEPT=1). Review the diff and rerun."
            : $"Received text written to {received}\nAccept it with:  mv \"{received}\" \"{verified}\"   (or rerun with {AcceptVariable}=1)");
        return sb.ToString();
    }
}

/// <summary>An approval file does not match.</summary>
public sealed class ApprovalException(string message) : Exception(message);
