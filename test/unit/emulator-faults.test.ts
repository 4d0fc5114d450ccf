import {FaultConfigError, FaultInjector, parseFaultConfig} from '../../src/emulator/faults.js';

describe('parseFaultConfig', () => {
  it('accepts a full config', () => {
    const config = {latencyMs: 10, failRate: 0.5, failStatus: 429, failNext: 3, failNextStatus: 503, paths: ['/token']};
    expect(parseFaultConfig(config)).toEqual(config);
  });

  it.each([
    [[], 'must be a JSON object'],
    [{latencyMs: -1}, 'latencyMs'],
    [{failRate: 1.5}, 'failRate'],
    [{failRate: '0.5'}, 'failRate'],
    [{failNext: 1.5}, 'failNext'],
    [{failStatus: 500}, 'failStatus must be 503 or 429'],
    [{paths: ['token']}, 'paths'],
    [{fail_rate: 1}, 'unknown fault setting "fail_rate"'],
  ])('refuses %j', (input, message) => {
    expect(() => parseFaultConfig(input)).toThrow(FaultConfigError);
    expect(() => parseFaultConfig(input)).toThrow(message);
  });
});

describe('FaultInjector', () => {
  it('fails exactly the next N requests, then none', () => {
    const faults = new FaultInjector({failNext: 2});
    expect([1, 2, 3, 4].map(() => faults.failureFor('/token'))).toEqual([503, 503, undefined, undefined]);
    expect(faults.current().failNext).toBe(0);
  });

  it('uses failStatus for fail-next when no failNextStatus is given', () => {
    const faults = new FaultInjector({failNext: 1, failStatus: 429});
    expect(faults.failureFor('/token')).toBe(429);
  });

  it('fails the given share of requests', () => {
    const draws = [0.1, 0.6, 0.2, 0.9];
    const faults = new FaultInjector({failRate: 0.5, failStatus: 429}, () => draws.shift()!);
    expect([1, 2, 3, 4].map(() => faults.failureFor('/x'))).toEqual([429, undefined, 429, undefined]);
  });

  it('fails every request at rate 1 and none at rate 0', () => {
    const always = new FaultInjector({failRate: 1}, () => 0.999_999);
    const never = new FaultInjector({failRate: 0}, () => 0);
    expect(always.failureFor('/x')).toBe(503);
    expect(never.failureFor('/x')).toBeUndefined();
  });

  it('only touches the listed path prefixes', () => {
    const faults = new FaultInjector({failRate: 1, latencyMs: 50, paths: ['/token']});
    expect(faults.failureFor('/tokeninfo')).toBe(503);
    expect(faults.failureFor('/revoke')).toBeUndefined();
    expect(faults.latencyFor('/revoke')).toBe(0);
    expect(faults.latencyFor('/token')).toBe(50);
  });

  it('replaces the whole config on set', () => {
    const faults = new FaultInjector({failRate: 1, failNext: 5});
    faults.set({latencyMs: 5});
    expect(faults.current()).toEqual({latencyMs: 5, failNext: 0});
    expect(faults.failureFor('/x')).toBeUndefined();
  });
});
