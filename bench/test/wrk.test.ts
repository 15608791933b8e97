import { describe, expect, it } from 'vitest';
import { buildMix } from '../src/mix.js';
import { parseWrkOutput } from '../src/wrk-output.js';
import { WRK_RESULT_MARKER, luaString, renderWrkScript } from '../src/wrk-script.js';

const SAMPLE = `Running 5s test @ http://127.0.0.1:8000
  1 threads and 1 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   112.00us   40.00us   2.10ms   91.00%
  52000 requests in 5.00s, 20.00MB read
Requests/sec:  10400.00
${WRK_RESULT_MARKER}{"requests":52000,"duration_us":5000000,"bytes":20971520,"errors":{"connect":0,"read":1,"write":0,"status":3,"timeout":2},"latency_us":{"p50":98,"p90":150,"p99":410,"p999":1900,"mean":112.0,"max":2100}}
`;

describe('parseWrkOutput', () => {
  it('reads requests, rate, µs percentiles and counts every kind of failure', () => {
    const r = parseWrkOutput(SAMPLE);
    expect(r.requests).toBe(52000);
    expect(r.durationSec).toBe(5);
    expect(r.rps).toBe(10400);
    expect(r.failures).toBe(6);
    expect(r.latencyUs).toEqual({ p50: 98, p90: 150, p99: 410, p999: 1900, mean: 112, max: 2100 });
  });
  it('refuses output without the result line (the script did not run)', () => {
    expect(() => parseWrkOutput('Requests/sec: 10\n')).toThrow(/no result line/);
  });
  it('refuses an incomplete result line', () => {
    expect(() => parseWrkOutput(`${WRK_RESULT_MARKER}{"requests":1,"duration_us":1000}\n`)).toThrow(/incomplete/);
  });
});

describe('renderWrkScript', () => {
  const plan = buildMix([{ id: 'alice', token: 'aaa.bbb.ccc', taskIds: [7, 8] }], [{ id: 'bob', token: 'ddd.eee.fff', taskIds: [] }]);
  const script = renderWrkScript(plan);

  it('lists every planned request with its method, path and token', () => {
    expect(script).toContain('{"GET", "/api/alice/tasks", {["authorization"]="Bearer aaa.bbb.ccc"}, nil}');
    expect(script).toContain('{"PATCH", "/api/alice/tasks/8/complete"');
    expect(script).toContain('{"POST", "/api/bob/tasks", {["authorization"]="Bearer ddd.eee.fff", ["content-type"]="application/json"}, "{\\"title\\":');
    expect(script.match(/^ {2}\{"/gm)).toHaveLength(plan.length);
  });
  it('prints the marker wrk-output.ts looks for', () => {
    expect(script).toContain(WRK_RESULT_MARKER);
  });
  it('escapes quotes and backslashes and refuses anything but printable ASCII', () => {
    expect(luaString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(() => luaString('line\nbreak')).toThrow(/printable ASCII/);
  });
});
