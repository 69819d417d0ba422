using TceVerify.Cli;

// The first Ctrl-C asks the running command to stop (a hunt writes what it found, a check reports what it
// checked); a second one ends the process at once.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancel.IsCancellationRequested) return;
    e.Cancel = true;
    Console.Error.WriteLine("tceverify: stopping (Ctrl-C again to abort)...");
    cancel.Cancel();
};

bool interactive = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb";
int width = 100;
if (interactive)
{
    try { width = Console.WindowWidth > 0 ? Console.WindowWidth : 100; }
    catch (IOException) { width = 100; }
}
return Cli.Run(args, Console.Out, Console.Error, cancel.Token, interactive, width);
