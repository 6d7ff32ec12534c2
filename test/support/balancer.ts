/**
 * A load balancer for tests of several web servers: an HTTP proxy on loopback that sends each
 * request to the next server in turn, and to the one after it when a server does not answer (a
 * server that was killed). Request bodies are read whole first, so a refused request can go on to
 * the next server; a server that fails after it has taken the request fails that request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Balancer {
  url: string;
  /** Requests each backend answered, by its port. */
  served: Map<number, number>;
  stop(): Promise<void>;
}

export async function startBalancer(backends: number[]): Promise<Balancer> {
  const served = new Map(backends.map((p) => [p, 0]));
  let turn = 0;

  function forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, tries: number[]): void {
    const [port, ...rest] = tries;
    if (port === undefined) {
      res.writeHead(502).end('no web server answered');
      return;
    }
    const upstream = http.request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent: false },
      (answer) => {
        served.set(port, served.get(port)! + 1);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED' && !res.headersSent) forward(req, res, body, rest);
      else res.destroy(err);
    });
    upstream.end(body);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const start = turn++ % backends.length;
      const order = [...backends.slice(start), ...backends.slice(0, start)];
      forward(req, res, Buffer.concat(chunks), order);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
