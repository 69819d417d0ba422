using System.Globalization;
using System.Text.Json.Nodes;
using TceVerify.Contract;
using TceVerify.Harness.Programs;

namespace TceVerify.Cli.Files;

/// <summary>
/// Commands as JSON objects, for the program files check writes and replay reads:
/// <c>{"op": "map_dma-arg", "pid": 1, "fd": 3, "cmd": "0x...", "addr": "0x...", "bytes": "HEX", "text": "..."}</c>.
/// "text" is the readable form (ignored when reading).
/// </summary>
public static class CommandCodec
{
    public static JsonObject Encode(Command c)
    {
        var o = c switch
        {
            OpenContainerCmd x => Obj("open_container", ("pid", x.Pid)),
            OpenGroupCmd x => Obj("open_group", ("pid", x.Pid), ("group", x.Group)),
            CloseCmd x => Obj("close", ("pid", x.Pid), ("fd", x.Fd)),
            ForkCmd x => Obj("fork", ("pid", x.Pid)),
            PassFdCmd x => Obj("pass_fd", ("from", x.From), ("fd", x.Fd), ("to", x.To)),
            ExitCmd x => Obj("exit", ("pid", x.Pid)),
            MapPageCmd x => Obj("mmap", ("pid", x.Pid), ("vpage", Hex(x.Vpage)), ("pfn", x.Pfn), ("writable", x.Writable)),
            UnmapPageCmd x => Obj("munmap", ("pid", x.Pid), ("vpage", Hex(x.Vpage))),
            HostAllocCmd x => Obj("host_alloc", ("group", x.Group), ("pages", x.Pages)),
            HostFreeCmd x => Obj("host_free", ("group", x.Group), ("entry", x.Entry), ("pages", x.Pages)),
            HostStaleCmd x => Obj("host_write_stale", ("group", x.Group), ("entry", x.Entry), ("tce", Hex(x.Tce))),
            InjectCmd x => Obj("inject", ("group", x.Group), ("nth", x.Nth)),
            IoctlCmd x => Obj("ioctl", ("pid", x.Pid), ("fd", x.Fd), ("cmd", Hex(x.Cmd)), ("arg", Hex(x.Arg))),
            IoctlArgCmd x => Obj("ioctl_arg", ("pid", x.Pid), ("fd", x.Fd), ("cmd", Hex(x.Cmd)), ("addr", Hex(x.Addr)), ("bytes", Convert.ToHexString(x.Bytes))),
            _ => throw new NotSupportedException($"cannot write a {c.GetType().Name} to a program file"),
        };
        o["text"] = c.Describe();
        return o;
    }

    public static Command Decode(JsonNode? node, int index)
    {
        if (node is not JsonObject o) throw new FormatException($"command {index + 1} is not an object");
        string op = Str(o, "op", index);
        if (Fields.TryGetValue(op, out var fields))
            foreach (var (key, _) in o)
                if (key is not ("op" or "text") && !fields.Contains(key))
                    throw new FormatException($"command {index + 1} ({op}) has an unknown field '{key}' (expected {string.Join(", ", fields)})");
        return op switch
        {
            "open_container" => new OpenContainerCmd(Int(o, "pid", index)),
            "open_group" => new OpenGroupCmd(Int(o, "pid", index), Int(o, "group", index)),
            "close" => new CloseCmd(Int(o, "pid", index), Int(o, "fd", index)),
            "fork" => new ForkCmd(Int(o, "pid", index)),
            "pass_fd" => new PassFdCmd(Int(o, "from", index), Int(o, "fd", index), Int(o, "to", index)),
            "exit" => new ExitCmd(Int(o, "pid", index)),
            "mmap" => new MapPageCmd(Int(o, "pid", index), U64(o, "vpage", index), Long(o, "pfn", index), Bool(o, "writable", index)),
            "munmap" => new UnmapPageCmd(Int(o, "pid", index), U64(o, "vpage", index)),
            "host_alloc" => new HostAllocCmd(Int(o, "group", index), Long(o, "pages", index)),
            "host_free" => new HostFreeCmd(Int(o, "group", index), Long(o, "entry", index), Long(o, "pages", index)),
            "host_write_stale" => new HostStaleCmd(Int(o, "group", index), Long(o, "entry", index), U64(o, "tce", index)),
            "inject" => new InjectCmd(Int(o, "group", index), Int(o, "nth", index)),
            "ioctl" => new IoctlCmd(Int(o, "pid", index), Int(o, "fd", index), U32(o, "cmd", index), U64(o, "arg", index)),
            "ioctl_arg" => new IoctlArgCmd(Int(o, "pid", index), Int(o, "fd", index), U32(o, "cmd", index), U64(o, "addr", index), Bytes(o, "bytes", index)),
            _ => throw new FormatException($"command {index + 1} has an unknown op '{op}'"),
        };
    }

    /// <summary>The fields of each operation (besides "op" and the readable "text").</summary>
    static readonly Dictionary<string, string[]> Fields = new()
    {
        ["open_container"] = ["pid"],
        ["open_group"] = ["pid", "group"],
        ["close"] = ["pid", "fd"],
        ["fork"] = ["pid"],
        ["pass_fd"] = ["from", "fd", "to"],
        ["exit"] = ["pid"],
        ["mmap"] = ["pid", "vpage", "pfn", "writable"],
        ["munmap"] = ["pid", "vpage"],
        ["host_alloc"] = ["group", "pages"],
        ["host_free"] = ["group", "entry", "pages"],
        ["host_write_stale"] = ["group", "entry", "tce"],
        ["inject"] = ["group", "nth"],
        ["ioctl"] = ["pid", "fd", "cmd", "arg"],
        ["ioctl_arg"] = ["pid", "fd", "cmd", "addr", "bytes"],
    };

    public static JsonArray EncodeAll(IEnumerable<Command> commands) => new(commands.Select(c => (JsonNode)Encode(c)).ToArray());

    public static List<Command> DecodeAll(JsonNode? node, string what)
    {
        if (node is not JsonArray a) throw new FormatException($"'{what}' is missing or not a list of commands");
        return a.Select((n, i) => Decode(n, i)).ToList();
    }

    /// <summary>Whether every command can be written (a command type added later may not be).</summary>
    public static bool CanEncode(IEnumerable<Command> commands)
    {
        try { foreach (var c in commands) Encode(c); return true; }
        catch (NotSupportedException) { return false; }
    }

    static JsonObject Obj(string op, params (string Key, object Value)[] fields)
    {
        var o = new JsonObject { ["op"] = op };
        foreach (var (k, v) in fields)
            o[k] = v switch
            {
                int i => JsonValue.Create(i),
                long l => JsonValue.Create(l),
                bool b => JsonValue.Create(b),
                string s => JsonValue.Create(s),
                _ => throw new InvalidOperationException(),
            };
        return o;
    }

    static string Hex(ulong v) => "0x" + v.ToString("x", CultureInfo.InvariantCulture);

    static JsonNode Field(JsonObject o, string key, int index) =>
        o[key] ?? throw new FormatException($"command {index + 1} ({o["op"]}) lacks '{key}'");

    static string Str(JsonObject o, string key, int index) =>
        Field(o, key, index) is JsonValue v && v.TryGetValue(out string? s) ? s : throw new FormatException($"command {index + 1}: '{key}' must be a string");

    static long Long(JsonObject o, string key, int index)
    {
        var n = Field(o, key, index);
        if (n is JsonValue v && v.TryGetValue(out long l)) return l;
        if (n is JsonValue s && s.TryGetValue(out string? text))
        {
            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && long.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out l)) return l;
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out l)) return l;
        }
        throw new FormatException($"command {index + 1}: '{key}' must be an integer");
    }

    static int Int(JsonObject o, string key, int index)
    {
        long l = Long(o, key, index);
        if (l is < int.MinValue or > int.MaxValue) throw new FormatException($"command {index + 1}: '{key}' is out of range");
        return (int)l;
    }

    static ulong U64(JsonObject o, string key, int index)
    {
        var n = Field(o, key, index);
        if (n is JsonValue v && v.TryGetValue(out ulong u)) return u;
        if (n is JsonValue s && s.TryGetValue(out string? text))
        {
            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && ulong.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out u)) return u;
            if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out u)) return u;
        }
        throw new FormatException($"command {index + 1}: '{key}' must be an unsigned integer");
    }

    static uint U32(JsonObject o, string key, int index)
    {
        ulong u = U64(o, key, index);
        return u <= uint.MaxValue ? (uint)u : throw new FormatException($"command {index + 1}: '{key}' is out of range (32 bits)");
    }

    static bool Bool(JsonObject o, string key, int index) =>
        Field(o, key, index) is JsonValue v && v.TryGetValue(out bool b) ? b : throw new FormatException($"command {index + 1}: '{key}' must be true or false");

    static byte[] Bytes(JsonObject o, string key, int index)
    {
        string s = Str(o, key, index);
        try { return Convert.FromHexString(s); }
        catch (FormatException) { throw new FormatException($"command {index + 1}: '{key}' must be hexadecimal bytes"); }
    }
}
