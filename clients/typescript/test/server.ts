// Starts the built NpsGrpc server as a child process on a free loopback port, for the client tests.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, openSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { connect } from "node:http2";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// dist/test/server.js sits four levels below the repository root.
const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const serverDll = join(repositoryRoot, "src/NpsGrpc.Server/bin/Release/net10.0/NpsGrpc.Server.dll");
const cliDll = join(repositoryRoot, "src/NpsGrpc.Cli/bin/Release/net10.0/nps.dll");
const startAttempts = 3;
const startTimeoutMs = 90_000;

/**
 * Returns the environment variables the test server runs with. This is the one place to add a
 * setting for the test server, for example an authentication mode.
 */
export function serverSettings(connectionString: string, port: number): Record<string, string> {
  return {
    ConnectionStrings__Nps: connectionString,
    Kestrel__Endpoints__Grpc__Url: `http://127.0.0.1:${port}`,
    Kestrel__Endpoints__Grpc__Protocols: "Http2",
    // A free port for the metrics listener: the default 9464 may be taken by another server on the machine.
    Telemetry__Prometheus__Url: "http://127.0.0.1:0",
    Exports__SchedulerEnabled: "false",
  };
}

/**
 * Creates an API key with every scope in the test database and returns it, or returns
 * NPS_TEST_API_KEY when that is set. The key is written straight to the database with
 * `nps keys create --connection-string`, the bootstrap path an operator uses.
 */
export function createTestKey(connectionString: string): string {
  const configured = process.env.NPS_TEST_API_KEY;
  if (configured) {
    return configured;
  }
  if (!existsSync(cliDll)) {
    throw new Error(`${cliDll} not found; build the CLI first with 'make build'`);
  }
  const name = `typescript-client-tests-${randomUUID().replaceAll("-", "")}`;
  const scopes = ["ingest", "query", "export", "admin"].flatMap((scope) => ["--scope", scope]);
  const args = [cliDll, "keys", "create", "--connection-string", connectionString, "--name", name, "--expires", "1d"];
  return execFileSync("dotnet", [...args, ...scopes], { encoding: "utf8" }).trim();
}

/** A running server process. */
export interface RunningServer {
  /** Base URL, for example http://127.0.0.1:41234. */
  baseUrl: string;
  /** API key with every scope, created for this server's database. */
  apiKey: string;
  /** Path of the file that contains the server's console output. */
  logPath: string;
  /** Stops the process with SIGTERM, then SIGKILL if it has not exited after 15 seconds. */
  stop(): Promise<void>;
}

/**
 * Starts the server and waits until its health check returns SERVING. The database comes from
 * NPS_TEST_CONNECTION_STRING, or from the private 'test' cluster when that is unset. A port that
 * another process takes between the free-port probe and the server's bind makes the server exit,
 * and a new port is tried.
 */
export async function startServer(): Promise<RunningServer> {
  if (!existsSync(serverDll)) {
    throw new Error(`${serverDll} not found; build the server first with 'make build'`);
  }

  const connectionString = process.env.NPS_TEST_CONNECTION_STRING || startCluster();
  const apiKey = createTestKey(connectionString);
  const logPath = join(mkdtempSync(join(tmpdir(), "nps-typescript-client-")), "server.log");
  for (let attempt = 0; attempt < startAttempts; attempt++) {
    const port = await freePort();
    const log = openSync(logPath, "a");
    const child = spawn("dotnet", [serverDll], {
      cwd: dirname(serverDll),
      env: { ...process.env, ...serverSettings(connectionString, port) },
      stdio: ["ignore", log, log],
    });
    const server: RunningServer = {
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey,
      logPath,
      stop: () => stopProcess(child),
    };
    if (await waitUntilServing(server.baseUrl, child)) {
      return server;
    }
    await server.stop();
  }

  throw new Error(`the server did not report SERVING after ${startAttempts} attempts; log: ${logPath}`);
}

async function waitUntilServing(baseUrl: string, child: ChildProcess): Promise<boolean> {
  const end = Date.now() + startTimeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null) {
      return false;
    }
    if (await isServing(baseUrl)) {
      return true;
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  return false;
}

/**
 * Calls grpc.health.v1.Health/Check over plain HTTP/2. The health protos are not generated for
 * this client, so the call sends an empty request frame and compares the encoded response. A
 * HealthCheckResponse with status SERVING is field 1 = 1, the bytes 08 01.
 */
function isServing(baseUrl: string): Promise<boolean> {
  return new Promise((done) => {
    const session = connect(baseUrl);
    const finish = (serving: boolean) => {
      session.destroy();
      done(serving);
    };
    session.on("error", () => finish(false));
    session.setTimeout(2000, () => finish(false));

    const stream = session.request({
      ":method": "POST",
      ":path": "/grpc.health.v1.Health/Check",
      "content-type": "application/grpc",
      te: "trailers",
    });
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", () => finish(false));
    stream.on("end", () => {
      const body = Buffer.concat(chunks);
      // A gRPC frame: one compression flag byte, a 4-byte big-endian length, then the message.
      finish(body.length === 7 && body.readUInt32BE(1) === 2 && body[5] === 0x08 && body[6] === 0x01);
    });
    stream.end(Buffer.alloc(5));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(timer);
      done();
    });
    child.kill("SIGTERM");
  });
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => done(port));
    });
  });
}

function startCluster(): string {
  return execFileSync(join(repositoryRoot, "scripts/pg-cluster.sh"), ["start", "test"], { encoding: "utf8" }).trim();
}
