using System.Globalization;
using System.IO;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Monitor.Workloads;

/// <summary>
/// Replays the output of Valgrind's <c>lackey --trace-mem=yes</c>: <c>I  addr,size</c> is one instruction of size
/// bytes (<see cref="Operation.Instruction"/>: the processor fetches every L1 line it covers),
/// <c> L addr,size</c> a load, <c> S addr,size</c> a store, <c> M addr,size</c> a modify (a load then a store);
/// <c>==pid==</c> and <c>--pid--</c> lines are Valgrind's own and skipped, as are empty lines. Addresses are hex,
/// sizes decimal. The file is streamed through one buffer and parsed as bytes (no string per line); a malformed line
/// is a <see cref="BadInputException"/> naming <c>file:line</c>. The checkpoint is the byte offset and line number of
/// the next line (and a modify's pending store): a loaded source reopens the file there.
/// </summary>
public sealed class LackeyTraceSource : IOperationSource, IDisposable
{
    private const int BufferBytes = 1 << 16;

    private readonly string _path;
    private readonly byte[] _buffer = new byte[BufferBytes];
    private FileStream? _stream;
    private long _bufferOffset;   // file offset of _buffer[0]
    private int _pos;
    private int _length;
    private bool _endOfFile;
    private bool _finished;
    private long _line;           // number of the next line to parse (1-based)
    private bool _pendingStore;
    private long _pendingAddress;
    private int _pendingSize;

    public LackeyTraceSource(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        _path = path;
        _line = 1;
    }

    public string Path => _path;

    /// <summary>Lines read so far (the next line's number minus one).</summary>
    public long LinesRead => _line - 1;

    public bool TryNext(out Operation operation)
    {
        if (_pendingStore)
        {
            _pendingStore = false;
            operation = Operation.Store(_pendingAddress, _pendingSize);
            return true;
        }

        while (true)
        {
            if (_finished)
            {
                operation = default;
                return false;
            }

            int nl = _buffer.AsSpan(_pos, _length - _pos).IndexOf((byte)'\n');
            int end;
            int next;
            if (nl >= 0)
            {
                end = _pos + nl;
                next = end + 1;
            }
            else if (!_endOfFile)
            {
                Refill();
                continue;
            }
            else if (_pos < _length)
            {
                end = _length; // a last line without a newline
                next = _length;
            }
            else
            {
                Finish();
                continue;
            }

            var line = _buffer.AsSpan(_pos, end - _pos);
            long number = _line;
            _pos = next;
            _line++;
            if (ParseLine(line, number, out operation))
            {
                return true;
            }
        }
    }

    private bool ParseLine(ReadOnlySpan<byte> line, long number, out Operation operation)
    {
        operation = default;
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.Length == 0 || (line.Length >= 2 && ((line[0] == (byte)'=' && line[1] == (byte)'=') || (line[0] == (byte)'-' && line[1] == (byte)'-'))))
        {
            return false;
        }

        if (line.Length < 4)
        {
            throw Malformed(number, "too short for an access line");
        }

        byte kind;
        if (line[0] == (byte)'I' && line[1] == (byte)' ' && line[2] == (byte)' ')
        {
            kind = (byte)'I';
        }
        else if (line[0] == (byte)' ' && line[2] == (byte)' ' && line[1] is (byte)'L' or (byte)'S' or (byte)'M')
        {
            kind = line[1];
        }
        else
        {
            throw Malformed(number, "expected 'I  addr,size', ' L addr,size', ' S addr,size', ' M addr,size' or a '==pid==' line");
        }

        int i = 3;
        long address = 0;
        int digits = 0;
        for (; i < line.Length && line[i] != (byte)','; i++)
        {
            int d = HexValue(line[i]);
            if (d < 0)
            {
                throw Malformed(number, $"'{(char)line[i]}' in the address is not a hex digit");
            }

            if (++digits > 16)
            {
                throw Malformed(number, "the address has more than 16 hex digits");
            }

            address = (address << 4) | (uint)d;
        }

        if (digits == 0)
        {
            throw Malformed(number, "the address is missing");
        }

        if (i >= line.Length)
        {
            throw Malformed(number, "',size' is missing after the address");
        }

        i++;
        int size = 0;
        int sizeDigits = 0;
        for (; i < line.Length; i++)
        {
            uint d = (uint)(line[i] - (byte)'0');
            if (d > 9)
            {
                throw Malformed(number, $"'{(char)line[i]}' in the size is not a decimal digit");
            }

            if (++sizeDigits > 6)
            {
                throw Malformed(number, "the size is too large");
            }

            size = (size * 10) + (int)d;
        }

        if (sizeDigits == 0 || size == 0)
        {
            throw Malformed(number, "the size is missing or zero");
        }

        if (address < 0)
        {
            throw Malformed(number, "the address does not fit in 63 bits");
        }

        switch (kind)
        {
            case (byte)'I':
                operation = Operation.Instruction(address, size);
                break;
            case (byte)'L':
                operation = Operation.Load(address, size);
                break;
            case (byte)'S':
                operation = Operation.Store(address, size);
                break;
            default:
                operation = Operation.Load(address, size);
                _pendingStore = true;
                _pendingAddress = address;
                _pendingSize = size;
                break;
        }

        return true;
    }

    private static int HexValue(byte c)
    {
        uint d = (uint)(c - (byte)'0');
        if (d <= 9)
        {
            return (int)d;
        }

        d = (uint)((c | 0x20) - (byte)'a');
        return d <= 5 ? (int)d + 10 : -1;
    }

    private BadInputException Malformed(long number, string problem) =>
        new($"{_path}:{number.ToString(CultureInfo.InvariantCulture)}", problem);

    private void Refill()
    {
        var stream = _stream ?? Open(_bufferOffset + _pos);
        int keep = _length - _pos;
        if (keep >= BufferBytes)
        {
            throw Malformed(_line, $"line longer than {BufferBytes} bytes");
        }

        Array.Copy(_buffer, _pos, _buffer, 0, keep);
        _bufferOffset += _pos;
        _pos = 0;
        _length = keep;
        while (_length < BufferBytes)
        {
            int n = stream.Read(_buffer, _length, BufferBytes - _length);
            if (n == 0)
            {
                _endOfFile = true;
                break;
            }

            _length += n;
        }
    }

    private FileStream Open(long offset)
    {
        try
        {
            var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            if (offset > stream.Length)
            {
                stream.Dispose();
                throw new BadInputException(_path, $"the trace is shorter ({stream.Length} bytes) than the saved position {offset}");
            }

            stream.Seek(offset, SeekOrigin.Begin);
            _bufferOffset = offset;
            _pos = 0;
            _length = 0;
            _stream = stream;
            return stream;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException(_path, "cannot read the trace: " + ex.Message);
        }
    }

    private void Finish()
    {
        _finished = true;
        Dispose();
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }

    /// <summary>The position of the next line (and a modify's pending store); a loaded source reopens the file there.</summary>
    public void DeclareState(ref StateIo io)
    {
        long offset = _bufferOffset + _pos;
        io.Long("trace offset", ref offset, 0);
        io.Long("trace line", ref _line, 1);
        io.Bool("trace finished", ref _finished);
        io.Bool("trace pending store", ref _pendingStore);
        io.Long("trace pending address", ref _pendingAddress, 0);
        io.Int("trace pending size", ref _pendingSize, 0, 999_999);
        if (io.IsLoading)
        {
            Dispose();
            _bufferOffset = offset;
            _pos = 0;
            _length = 0;
            _endOfFile = false;
        }
    }
}
