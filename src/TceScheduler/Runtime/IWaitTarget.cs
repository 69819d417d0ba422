namespace TceVerify.Scheduling;

/// <summary>A primitive a thread can block on; describes who holds it for deadlock reports.</summary>
internal interface IWaitTarget
{
    string? DescribeHolders();
}
