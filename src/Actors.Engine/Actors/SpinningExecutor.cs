using System.Collections.Concurrent;
using Akka.Configuration;
using Akka.Dispatch;

namespace Disco.Actors.Engine.Actors;

/// <summary>
/// The engine's executor: a fixed set of threads that spin briefly before they sleep, and that keep every actor on
/// the same thread from window to window.
/// <para>
/// Spinning: a window on a few cores lasts tens of microseconds, about what it takes the kernel to wake a parked
/// thread, so a pool that parks between windows (the .NET pool, Akka's dedicated pool) runs most windows on one
/// thread. Threads still sleep once the run is idle, so a finished run costs nothing.
/// </para>
/// <para>
/// Affinity: a partition's state (its event heap, its components) is hundreds of kilobytes; a pool that lets any
/// thread take any actor moves that state between cores' caches every window. Each actor (its mailbox) is given a
/// home thread when first seen, round-robin in creation order; an idle thread steals only after it has spun a
/// while, so balance is kept without shuffling partitions every window.
/// </para>
/// </summary>
public sealed class SpinningExecutor : ExecutorService, IDisposable
{
    private const int StealAfterSpins = 64;

    private readonly ConcurrentQueue<IRunnable> _external = new();
    private readonly ConcurrentQueue<IRunnable>[] _local;
    private readonly ConcurrentDictionary<IRunnable, int> _home = new(ReferenceEqualityComparer.Instance);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Thread[] _threads;
    private readonly int _spinIterations;
    private volatile bool _stopping;
    private int _sleepers;
    private int _nextHome = -1;

    public SpinningExecutor(string id, int threads, int spinIterations)
        : base(id)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _spinIterations = spinIterations;
        _threads = new Thread[threads];
        _local = new ConcurrentQueue<IRunnable>[threads];
        for (int i = 0; i < threads; i++)
        {
            int index = i;
            _local[i] = new ConcurrentQueue<IRunnable>();
            _threads[i] = new Thread(() => Work(index)) { IsBackground = true, Name = $"{id}-{i}" };
        }

        foreach (var t in _threads)
        {
            t.Start();
        }
    }

    public override void Execute(IRunnable run)
    {
        ArgumentNullException.ThrowIfNull(run);
        int home = _local.Length == 1 ? 0 : _home.GetOrAdd(run, static (_, self) => (int)((uint)Interlocked.Increment(ref self._nextHome) % (uint)self._local.Length), this);
        _local[home].Enqueue(run);

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

    private void Work(int self)
    {
        var own = _local[self];
        while (!_stopping)
        {
            if (own.TryDequeue(out var run) || _external.TryDequeue(out run))
            {
                run.Run();
                continue;
            }

            if (SpinForWork(self, out run))
            {
                run.Run();
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

    /// <summary>Polls the own queue, then (after a while) the others'; false when the spin budget runs out.</summary>
    private bool SpinForWork(int self, out IRunnable run)
    {
        var own = _local[self];
        for (int i = 0; i < _spinIterations; i++)
        {
            if (own.TryDequeue(out run!) || _external.TryDequeue(out run!))
            {
                return true;
            }

            if (i >= StealAfterSpins && TrySteal(self, out run!))
            {
                return true;
            }

            // Yield, not pause: measured here, a core busy with pause instructions slows its sibling by about 20%
            // (shared core resources or clock), while a core that yields to the kernel does not.
            Thread.Yield();
        }

        run = null!;
        return false;
    }

    private bool TrySteal(int self, out IRunnable run)
    {
        for (int k = 1; k < _local.Length; k++)
        {
            if (_local[(self + k) % _local.Length].TryDequeue(out run!))
            {
                return true;
            }
        }

        run = null!;
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
