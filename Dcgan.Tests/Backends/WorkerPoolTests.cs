// The CPU backend's worker pool: every chunk runs exactly once, back-to-back jobs never lose a wake-up (a stress
// run that once hung on a store/load reordering), chunk failures reach the caller, nested runs run inline.
namespace Dcgan.Tests.Backends;

using System.Diagnostics;
using Dcgan.Backends.Cpu;

public sealed class WorkerPoolTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_chunk_runs_exactly_once(int workers)
    {
        using var pool = new WorkerPool(workers);
        var job = new CountingJob(1000);
        for (int round = 0; round < 50; round++)
        {
            pool.Run(job, 1000);
        }

        Assert.All(job.Hits, h => Assert.Equal(50, h));
    }

    [Fact]
    public async Task Back_to_back_jobs_all_finish()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        // Tiny jobs in a tight loop exercise every interleaving of wake-up, revoke and completion.
        var runner = Task.Run(() =>
        {
            using var pool = new WorkerPool(2);
            var job = new CountingJob(8);
            var clock = Stopwatch.StartNew();
            long runs = 0;
            while (clock.Elapsed.TotalSeconds < 2)
            {
                pool.Run(job, 2 + (int)(runs % 7));
                runs++;
            }

            return runs;
        }, cancel);
        Task first = await Task.WhenAny(runner, Task.Delay(TimeSpan.FromSeconds(30), cancel));
        Assert.True(first == runner, "The pool stopped making progress (a lost wake-up).");
        long total = await runner;
        Assert.True(total > 1000, $"Only {total} runs in 2 s.");
    }

    [Fact]
    public void A_failing_chunk_reaches_the_caller_and_the_pool_keeps_working()
    {
        using var pool = new WorkerPool(2);
        var error = Assert.Throws<AggregateException>(() => pool.Run(new FailingJob(), 16));
        Assert.IsType<InvalidOperationException>(error.InnerException);
        var job = new CountingJob(16);
        pool.Run(job, 16);
        Assert.All(job.Hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void A_nested_run_runs_inline()
    {
        using var pool = new WorkerPool(2);
        var inner = new CountingJob(5);
        var outer = new NestingJob(pool, inner);
        pool.Run(outer, 4);
        Assert.All(inner.Hits, h => Assert.Equal(4, h));
    }

    private sealed class CountingJob(int chunks) : ChunkJob
    {
        public int[] Hits { get; } = new int[chunks];

        public override void Execute(int chunk, int worker) => Interlocked.Increment(ref Hits[chunk]);
    }

    private sealed class FailingJob : ChunkJob
    {
        public override void Execute(int chunk, int worker)
        {
            if (chunk == 7)
            {
                throw new InvalidOperationException("chunk 7");
            }
        }
    }

    private sealed class NestingJob(WorkerPool pool, ChunkJob inner) : ChunkJob
    {
        public override void Execute(int chunk, int worker) => pool.Run(inner, 5);
    }
}
