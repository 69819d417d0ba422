using TceVerify.Cli;

// The first Ctrl-C asks the running command to stop: it stops within a second and still reports (a hunt writes what it
// found, a check prints its summary). Ctrl-C again within the grace period is taken as the same request: `timeout -s
// INT` under `dotnet run` delivers SIGINT twice, and an impatient user presses twice; losing the summary to either would
// be worse than waiting a second. After the grace period, Ctrl-C aborts at once (exit 130, no summary).
var grace = TimeSpan.FromSeconds(3);
using var cancel = new CancellationTokenSource();
long firstAt = 0;
Console.CancelKeyPress += (_, e) =>
{
    long now = Environment.TickCount64;
    if (!cancel.IsCancellationRequested)
    {
        e.Cancel = true;
        Interlocked.Exchange(ref firstAt, now);
        Console.Error.WriteLine($"tceverify: stopping, the summary follows (Ctrl-C again after {grace.TotalSeconds:0} s aborts)...");
        cancel.Cancel();
        return;
    }
    if (now - Interlocked.Read(ref firstAt) < grace.TotalMilliseconds)
    {
        e.Cancel = true; // the same request again
        return;
    }
    Console.Error.WriteLine("tceverify: aborted");
};

bool interactive = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb";
int width = 100;
if (interactive)
{
    try { width = Console.WindowWidth > 0 ? Console.WindowWidth : 100; }
    catch (IOException) { width = 100; }
}
return Cli.Run(args, Console.Out, Console.Error, cancel.Token, interactive, width);
