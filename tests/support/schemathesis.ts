import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** One schemathesis run: what to fuzz, with which credentials, how much, and where its reports go. */
export interface SchemathesisRun {
  st: string;
  openapiUrl: string;
  configFile: string;
  headers: Record<string, string>;
  examplesPerOperation: number;
  seed: number;
  /** Emptied first; holds the JUnit report, the HAR of every exchange, and st's output. */
  reportDir: string;
  timeoutMs: number;
}

/** One request schemathesis sent and the answer it got, from the HAR report. */
export interface Exchange {
  method: string;
  url: string;
  requestBody: string;
  status: number;
  responseBody: string;
}

export interface SchemathesisResult {
  exitCode: number | null;
  /** Operations tested, failures (a check broke) and errors (st itself could not test), from the JUnit report. */
  operations: number;
  failures: number;
  errors: number;
  /** The first lines of each failure, to say what broke in an assertion message. */
  failureSummaries: string[];
  exchanges: Exchange[];
  output: string;
}

interface Har {
  log: {
    entries: {
      request: { method: string; url: string; postData?: { text?: string } };
      response: { status: number; content?: { text?: string; encoding?: string } };
    }[];
  };
}

const textOf = (content: { text?: string; encoding?: string } | undefined) =>
  content?.encoding === 'base64' ? Buffer.from(content.text ?? '', 'base64').toString('utf8') : (content?.text ?? '');

/**
 * Runs `st run` as a child process (asynchronously: the gateway under test may be in this
 * very process) with one worker, a fixed seed and no example database, so the same seed
 * sends the same cases; kills it past `timeoutMs`.
 */
export async function runSchemathesis(run: SchemathesisRun): Promise<SchemathesisResult> {
  rmSync(run.reportDir, { recursive: true, force: true });
  mkdirSync(run.reportDir, { recursive: true });
  const args = [
    '--config-file',
    run.configFile,
    'run',
    run.openapiUrl,
    '--checks',
    'all',
    '--max-examples',
    String(run.examplesPerOperation),
    '--seed',
    String(run.seed),
    '--generation-database',
    'none',
    // One worker: reproducible order, and hypothesis' lambda-source cache is not thread-safe on Python 3.11.
    '--workers',
    '1',
    '--no-color',
    '--report',
    'junit,har',
    '--report-dir',
    run.reportDir,
    ...Object.entries(run.headers).flatMap(([name, value]) => ['--header', `${name}: ${value}`]),
  ];
  // cwd: st keeps a .schemathesis/ folder where it runs; keep it with the reports.
  const child = spawn(run.st, args, { cwd: run.reportDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, run.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  }).finally(() => clearTimeout(timer));
  if (timedOut)
    throw new Error(
      `schemathesis ran past ${run.timeoutMs / 1000} s and was stopped: lower the examples per operation, or look at ${run.reportDir}`,
    );
  const files = readdirSync(run.reportDir);
  const junitFile = files.find((f) => f.startsWith('junit'));
  const harFile = files.find((f) => f.startsWith('har'));
  if (!junitFile || !harFile)
    throw new Error(`schemathesis exited with ${exitCode} and wrote no JUnit or HAR report; its output:\n${output.slice(-3000)}`);
  const junit = readFileSync(join(run.reportDir, junitFile), 'utf8');
  const suites = /<testsuites\b[^>]*>/.exec(junit)?.[0] ?? '';
  const total = (name: string) => {
    const value = new RegExp(`\\b${name}="(\\d+)"`).exec(suites)?.[1];
    if (value === undefined) throw new Error(`the JUnit report ${junitFile} has no ${name} total: has schemathesis changed its format?`);
    return Number(value);
  };
  const failureSummaries = [...junit.matchAll(/<testcase name="([^"]+)"[^>]*>\s*<(failure|error)[^>]*>([\s\S]*?)<\/\2>/g)].map(
    (m) =>
      `${m[1]}: ${(m[3] ?? '')
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&')
        .split('\n')
        .filter((line) => line.trim())
        .slice(0, 6)
        .join(' / ')}`,
  );
  const har = JSON.parse(readFileSync(join(run.reportDir, harFile), 'utf8')) as Har;
  return {
    exitCode,
    operations: total('tests'),
    failures: total('failures'),
    errors: total('errors'),
    failureSummaries,
    exchanges: har.log.entries.map((e) => ({
      method: e.request.method,
      url: e.request.url,
      requestBody: e.request.postData?.text ?? '',
      status: e.response.status,
      responseBody: textOf(e.response.content),
    })),
    output,
  };
}
