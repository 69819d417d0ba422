namespace TceVerify.Scheduling;

/// <summary>A shared field holding a value, with the <see cref="SharedCell"/> hooks built in.</summary>
public sealed class SharedCell<T> : SharedCell
{
    private readonly T _initial;
    private T _value;

    public SharedCell(string name, T initial)
        : base(name) => _value = _initial = initial;

    /// <summary>The value without a scheduling point or race check (for invariants and describers).</summary>
    public T Peek => _value;

    public T Read(string? label = null)
    {
        OnRead(label);
        return _value;
    }

    public void Write(T value, string? label = null)
    {
        OnWrite(label);
        _value = value;
    }

    private protected override void ResetValue() => _value = _initial;
}
