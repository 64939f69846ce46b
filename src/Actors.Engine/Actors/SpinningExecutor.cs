using System.Collections.Concurrent;
using Akka.Configuration;
using Akka.Dispatch;

namespace Disco.Actors.Engine.Actors;

/// <summary>
/// The engine's executor: a fixed set of threads that spin briefly before they sleep. A window on a few cores lasts
/// tens of microseconds, about what it takes the kernel to wake a parked thread; a pool that parks between windows
/// (the .NET pool, Akka's dedicated pool) therefore runs most windows on one thread. Spinning keeps every core ready
/// for the next window. Threads still sleep once the run is idle, so a finished run costs nothing.
/// </summary>
public sealed class SpinningExecutor : ExecutorService, IDisposable
{
    private readonly ConcurrentQueue<IRunnable> _external = new();
    private readonly ConcurrentQueue<IRunnable>[] _local;
    private readonly int[] _threadIds;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Thread[] _threads;
    private readonly int _spinIterations;
    private volatile bool _stopping;
    private int _sleepers;

    public SpinningExecutor(string id, int threads, int spinIterations)
        : base(id)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _spinIterations = spinIterations;
        _threads = new Thread[threads];
        _local = new ConcurrentQueue<IRunnable>[threads];
        _threadIds = new int[threads];
        for (int i = 0; i < threads; i++)
        {
            int index = i;
            _local[i] = new ConcurrentQueue<IRunnable>();
            _threads[i] = new Thread(() => Work(index)) { IsBackground = true, Name = $"{id}-{i}" };
            _threadIds[i] = _threads[i].ManagedThreadId;
        }

        foreach (var t in _threads)
        {
            t.Start();
        }
    }

    public override void Execute(IRunnable run)
    {
        // Work a worker creates stays on that worker's queue (warm caches, no contention) unless another steals it.
        int self = WorkerIndex();
        (self >= 0 ? _local[self] : _external).Enqueue(run);
        // Enqueue is a full fence: either a sleeper sees the work before it sleeps, or we see the sleeper here.
        if (Volatile.Read(ref _sleepers) > 0)
        {
            _wake.Release();
        }
    }

    public override void Shutdown()
    {
        _stopping = true;
        _wake.Release(_threads.Length);
    }

    public void Dispose()
    {
        Shutdown();
        _wake.Dispose();
    }

    private int WorkerIndex()
    {
        int id = Environment.CurrentManagedThreadId;
        var ids = _threadIds;
        for (int i = 0; i < ids.Length; i++)
        {
            if (ids[i] == id)
            {
                return i;
            }
        }

        return -1;
    }

    private bool TryTake(int self, out IRunnable run)
    {
        if (_local[self].TryDequeue(out run!) || _external.TryDequeue(out run!))
        {
            return true;
        }

        for (int k = 1; k < _local.Length; k++)
        {
            if (_local[(self + k) % _local.Length].TryDequeue(out run!))
            {
                return true;
            }
        }

        return false;
    }

    private bool AnyWork()
    {
        if (!_external.IsEmpty)
        {
            return true;
        }

        foreach (var q in _local)
        {
            if (!q.IsEmpty)
            {
                return true;
            }
        }

        return false;
    }

    private void Work(int self)
    {
        while (!_stopping)
        {
            if (TryTake(self, out var run))
            {
                run.Run();
                continue;
            }

            if (SpinForWork())
            {
                continue;
            }

            Interlocked.Increment(ref _sleepers);
            if (!AnyWork() && !_stopping)
            {
                _wake.Wait();
            }

            Interlocked.Decrement(ref _sleepers);
        }
    }

    private bool SpinForWork()
    {
        for (int i = 0; i < _spinIterations; i++)
        {
            if (AnyWork())
            {
                return true;
            }

            // Pause instructions only: no yield or sleep system call, which on a virtual machine can cost the
            // other cores more than the spinning saves.
            Thread.SpinWait(50);
        }

        return false;
    }
}

/// <summary>Lets HOCON choose the <see cref="SpinningExecutor"/>: <c>executor = "Disco.Actors.Engine.Actors.SpinningExecutorConfigurator, Disco.Actors.Engine"</c>.</summary>
public sealed class SpinningExecutorConfigurator : ExecutorServiceConfigurator
{
    private readonly int _threads;
    private readonly int _spinIterations;

    public SpinningExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites)
        : base(config, prerequisites)
    {
        ArgumentNullException.ThrowIfNull(config);
        _threads = Math.Max(1, config.GetInt("spinning-executor.threads", Environment.ProcessorCount));
        _spinIterations = Math.Max(0, config.GetInt("spinning-executor.spin-iterations", 2000));
    }

    public override ExecutorService Produce(string id) => new SpinningExecutor(id, _threads, _spinIterations);
}
