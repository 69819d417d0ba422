using TceVerify.Contract;
using TceVerify.Impl.Mm;

namespace TceVerify.Impl.Vfio;

/// <summary>The core's catalog hook: a check a catalog entry (src/TceVariants, docs/catalog.md) changes rather than
/// omits, called from one place in VfioCore.cs and holding the production rule.</summary>
internal partial class VfioCore
{
    /// <summary>CORE-23's first check under the group's lock: the group already has a container (-EINVAL).</summary>
    protected internal virtual int SetContainerUsersCheck(VfioGroup group, in Current cur, int fd) =>
        group.ContainerUsers.Read() != 0 ? -Errno.EINVAL : 0;
}
