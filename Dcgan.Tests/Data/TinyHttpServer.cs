// A minimal HTTP/1.1 server on 127.0.0.1 (TcpListener, one request per connection) for the download tests:
// each path is answered by a route function, and can be cut short or stalled to imitate a broken mirror.
namespace Dcgan.Tests.Data;

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

/// <summary>An answer: status, body, content type; <see cref="SendBytes"/> sends only a prefix of the body
/// (after announcing its full length), and <see cref="Stall"/> then keeps the connection open without sending more.</summary>
public sealed record Reply(int Status, byte[] Body, string ContentType = "application/octet-stream")
{
    public int? SendBytes { get; init; }

    public bool Stall { get; init; }

    public static Reply NotFound() => new(404, Encoding.ASCII.GetBytes("<html><body>Not Found</body></html>"), "text/html");
}

public sealed class TinyHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<string, Reply> _route;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public TinyHttpServer(Func<string, Reply> route)
    {
        _route = route;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoop);
    }

    public int Port { get; }

    /// <summary>The paths requested so far, in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public Uri Mirror(string prefix) => new($"http://127.0.0.1:{Port}/{prefix}/");

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                string path = await ReadRequestPath(stream);
                Requests.Enqueue(path);
                Reply reply = _route(path);
                string head = $"HTTP/1.1 {reply.Status} {(reply.Status == 200 ? "OK" : "Error")}\r\n" +
                    $"Content-Type: {reply.ContentType}\r\nContent-Length: {reply.Body.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(reply.Body.AsMemory(0, reply.SendBytes ?? reply.Body.Length), _stop.Token);
                await stream.FlushAsync(_stop.Token);
                if (reply.Stall)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away or the server is stopping.
            }
        }
    }

    private async Task<string> ReadRequestPath(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 16_384)
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                break;
            }

            head.Add(one[0]);
            int n = head.Count;
            if (n >= 4 && head[n - 4] == '\r' && head[n - 3] == '\n' && head[n - 2] == '\r' && head[n - 1] == '\n')
            {
                break;
            }
        }

        string requestLine = Encoding.ASCII.GetString([.. head]).Split("\r\n")[0];
        string[] parts = requestLine.Split(' ');
        return parts.Length >= 2 ? parts[1] : "";
    }
}
