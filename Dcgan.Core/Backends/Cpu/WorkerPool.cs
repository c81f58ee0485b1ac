// A fixed set of worker threads that run the numbered chunks of one job at a time, with no allocation
// per call (Parallel.For with a lambda allocates a closure and a delegate on every call).
// Chunks are claimed from a shared counter; a job's result must not depend on which worker ran a chunk.
namespace Dcgan.Backends.Cpu;

/// <summary>
/// Work split into numbered chunks. <see cref="Execute"/> is called once for every chunk in
/// [0, count), on any worker, in any order; its worker index (in [0, <see cref="WorkerPool.Workers"/>))
/// identifies per-worker scratch memory. Jobs are reusable objects: set fields, then run.
/// </summary>
internal abstract class ChunkJob
{
    /// <summary>Runs chunk <paramref name="chunk"/> on worker <paramref name="worker"/>.</summary>
    public abstract void Execute(int chunk, int worker);
}

/// <summary>
/// <see cref="WorkerPool.Workers"/> − 1 background threads plus the calling thread. <see cref="Run"/> blocks until
/// every chunk has run. Calls from several threads are serialised; a call from inside a chunk runs inline.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    // Flag polls before a waiting thread blocks (about 20-50 µs): a training step hands out jobs back to back.
    private const int SpinCount = 2000;

    private const int Idle = 0;
    private const int Assigned = 1;
    private const int Working = 2;

    [ThreadStatic]
    private static bool _insideChunk;

    [ThreadStatic]
    private static bool _waitPrepared;

    private readonly Thread[] _threads;
    private readonly Signal[] _wake;
    private readonly Signal _done = new();
    private readonly object _gate = new();

    // Per helper: Idle, Assigned (woken for the current job, not started yet) or Working. The caller revokes an
    // assignment a helper has not picked up yet instead of waiting for a thread the OS has not scheduled.
    private readonly int[] _helperState;
    private ChunkJob? _job;
    private int _chunkCount;
    private int _next;
    private volatile bool _stopping;
    private Exception? _failure;

    /// <summary>Starts <paramref name="workers"/> − 1 threads.</summary>
    /// <param name="workers">Threads that run chunks, the caller included; at least 1.</param>
    public WorkerPool(int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        Workers = workers;
        _threads = new Thread[workers - 1];
        _wake = new Signal[workers - 1];
        _helperState = new int[workers - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            _wake[i] = new Signal();
            int helper = i;
            _threads[i] = new Thread(() => Loop(helper))
            {
                IsBackground = true,
                Name = $"dcgan-cpu-{i + 1}",
            };
            _threads[i].Start();
        }
    }

    /// <summary>The number of threads that run chunks, the caller included.</summary>
    public int Workers { get; }

    /// <summary>Runs chunks [0, <paramref name="count"/>) of <paramref name="job"/> and returns when all are done.</summary>
    /// <exception cref="AggregateException">A chunk threw; the first exception is inside.</exception>
    public void Run(ChunkJob job, int count)
    {
        if (count <= 0)
        {
            return;
        }

        if (_insideChunk)
        {
            // A nested call from inside a chunk runs inline on that worker's thread, as worker 0: nested jobs
            // must not use per-worker scratch.
            for (int i = 0; i < count; i++)
            {
                job.Execute(i, 0);
            }

            return;
        }

        if (!_waitPrepared)
        {
            Signal.PrepareThread();
            _waitPrepared = true;
        }

        lock (_gate)
        {
            if (_threads.Length == 0 || count == 1)
            {
                // A single thread or a single chunk: no hand-off.
                RunInline(job, count);
                return;
            }

            try
            {
                _job = job;
                _chunkCount = count;
                _failure = null;
                Volatile.Write(ref _next, 0);
                for (int h = 0; h < _wake.Length; h++)
                {
                    Volatile.Write(ref _helperState[h], Assigned);
                    _wake[h].Set();
                }

                Work(0);
                for (int h = 0; h < _wake.Length; h++)
                {
                    if (Interlocked.CompareExchange(ref _helperState[h], Idle, Assigned) == Assigned)
                    {
                        continue; // never started: nothing to wait for
                    }

                    while (true)
                    {
                        _done.Reset();
                        if (Volatile.Read(ref _helperState[h]) == Idle)
                        {
                            break;
                        }

                        _done.Wait();
                    }
                }

                if (_failure is not null)
                {
                    throw new AggregateException("A CPU kernel chunk failed.", _failure);
                }
            }
            finally
            {
                _job = null;
            }
        }
    }

    /// <summary>Stops the threads.</summary>
    public void Dispose()
    {
        _stopping = true;
        foreach (Signal wake in _wake)
        {
            wake.Set();
        }

        foreach (Thread t in _threads)
        {
            t.Join();
        }
    }

    private static void RunInline(ChunkJob job, int count)
    {
        _insideChunk = true;
        try
        {
            for (int i = 0; i < count; i++)
            {
                job.Execute(i, 0);
            }
        }
        finally
        {
            _insideChunk = false;
        }
    }

    private void Loop(int helper)
    {
        Signal wake = _wake[helper];
        while (true)
        {
            wake.Wait();
            wake.Reset();
            if (_stopping)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _helperState[helper], Working, Assigned) != Assigned)
            {
                continue; // the caller finished the job and revoked this assignment
            }

            Work(helper + 1);
            Volatile.Write(ref _helperState[helper], Idle);
            _done.Set();
        }
    }

    private void Work(int worker)
    {
        ChunkJob job = _job!;
        int count = _chunkCount;
        while (true)
        {
            int chunk = Interlocked.Increment(ref _next) - 1;
            if (chunk >= count)
            {
                return;
            }

            _insideChunk = true;
            try
            {
                job.Execute(chunk, worker);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            finally
            {
                _insideChunk = false;
            }
        }
    }

    /// <summary>
    /// A manual-reset flag that spins, then blocks on a monitor. Unlike ManualResetEventSlim it allocates nothing
    /// when it first blocks (that event creates its lock object lazily, on the managed heap).
    /// </summary>
    private sealed class Signal
    {
        private readonly object _lock = new();
        private int _set;

        /// <summary>
        /// A thread's first Monitor wait or contended lock can allocate 0.6–2 KB (wait state the runtime builds
        /// lazily, measured on .NET 10; most on the process's first). A caller blocks only when a helper is slow,
        /// which on a busy machine may first happen long after warm-up, inside a step that must allocate nothing
        /// (CI once saw 1,608 bytes there): each calling thread pays it on its first run instead.
        /// </summary>
        public static void PrepareThread()
        {
            object probe = new();
            lock (probe)
            {
                Monitor.Wait(probe, 0);
            }
        }

        public void Set()
        {
            lock (_lock)
            {
                Volatile.Write(ref _set, 1);
                Monitor.PulseAll(_lock);
            }
        }

        // A full fence, not a plain store: callers read another flag right after Reset, and x86 may otherwise let
        // that load pass the buffered store, so a Set in between would be overwritten and the wait never end.
        public void Reset() => Interlocked.Exchange(ref _set, 0);

        public void Wait()
        {
            for (int i = 0; i < SpinCount && Volatile.Read(ref _set) == 0; i++)
            {
                Thread.SpinWait(20);
            }

            if (Volatile.Read(ref _set) != 0)
            {
                return;
            }

            lock (_lock)
            {
                while (Volatile.Read(ref _set) == 0)
                {
                    Monitor.Wait(_lock);
                }
            }
        }
    }
}
