using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace TceVerify.Coyote;

/// <summary>Whether an assembly went through Coyote's rewrite (the build rewrites TceVerify.Coyote.dll in bin/ after
/// every build; an assembly that did not is run by Coyote without control over its tasks and locks).</summary>
public static class CoyoteBuild
{
    const string Marker = "Microsoft.Coyote.Rewriting.RewritingSignatureAttribute";

    /// <summary>This assembly, as loaded.</summary>
    public static bool EngineIsRewritten { get; } = IsRewritten(typeof(CoyoteBuild).Assembly.Location);

    /// <summary>Whether the assembly file carries the attribute Coyote's rewriter stamps on what it rewrote.</summary>
    public static bool IsRewritten(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        foreach (var handle in md.GetAssemblyDefinition().GetCustomAttributes())
        {
            var ctor = md.GetCustomAttribute(handle).Constructor;
            if (ctor.Kind != HandleKind.MemberReference) continue;
            var parent = md.GetMemberReference((MemberReferenceHandle)ctor).Parent;
            if (parent.Kind != HandleKind.TypeReference) continue;
            var type = md.GetTypeReference((TypeReferenceHandle)parent);
            if ($"{md.GetString(type.Namespace)}.{md.GetString(type.Name)}" == Marker) return true;
        }
        return false;
    }
}
