using System.Runtime.ExceptionServices;

namespace TceVerify.Campaigns;

/// <summary>Runs a worker body on n dedicated threads and waits for them; the first exception is rethrown.</summary>
public static class Workers
{
    public static void Run(int count, string name, Action body)
    {
        Exception? first = null;
        var threads = Enumerable.Range(0, Math.Max(1, count)).Select(_ => new Thread(() =>
        {
            try { body(); }
            catch (Exception ex) { Interlocked.CompareExchange(ref first, ex, null); }
        }) { IsBackground = true, Name = name }).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        if (first is not null) ExceptionDispatchInfo.Capture(first).Throw();
    }

    /// <summary>The default number of workers: one per core.</summary>
    public static int Default => Math.Max(1, Environment.ProcessorCount);
}
