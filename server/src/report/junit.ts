// JUnit XML for CI systems: a testsuite per scenario, a testcase per step (failed when anyone
// failed it: class, count and a sample message), and the thresholds as testcases of their own.
import { XMLBuilder } from 'fast-xml-parser';
import { durationSeconds, explained, failureGroups, type RunReport } from './report.js';

export function junitReport({ summary, thresholds, comparison }: RunReport): string {
  const groups = failureGroups(summary);
  const seconds = durationSeconds(summary);
  const cases = summary.steps.map((step) => {
    const mine = groups.filter((g) => g.step.index === step.index);
    const regression = comparison?.steps[step.index]?.regression;
    const testcase: Record<string, unknown> = {
      '@_classname': summary.scenario,
      '@_name': `${String(step.index).padStart(2, '0')} ${step.title}`,
      '@_time': ((step.p50Ms ?? 0) / 1000).toFixed(3),
    };
    // Web Vitals as testcase properties (as pytest's record_property writes them): lcp_p95_ms, cls_p95…
    const vitals = Object.entries(step.vitals ?? {}).flatMap(([vital, v]) =>
      'p50' in v
        ? [{ '@_name': `${vital}_p50`, '@_value': v.p50 }, { '@_name': `${vital}_p95`, '@_value': v.p95 }]
        : [{ '@_name': `${vital}_p50_ms`, '@_value': v.p50Ms }, { '@_name': `${vital}_p95_ms`, '@_value': v.p95Ms }],
    );
    if (vitals.length) testcase.properties = { property: vitals };
    if (mine.length) {
      testcase.failure = {
        '@_type': mine[0]!.failureClass,
        '@_message': `${step.failed} of ${step.reached} people failed: ${mine.map((g) => `${g.failureClass} ×${g.count}`).join(', ')}`,
        '#text': mine.map((g) => `${g.failureClass} ×${g.count}: ${explained(g.sample)}${g.sample?.url ? ` (${g.sample.url})` : ''}`).join('\n'),
      };
    }
    if (regression) testcase['system-out'] = `regression against ${comparison!.previous}: ${regression}`;
    return testcase;
  });
  const thresholdCases = thresholds.map((t) => ({
    '@_classname': `${summary.scenario} thresholds`,
    '@_name': `${t.threshold} — ${t.detail}`,
    ...(t.ok ? {} : { failure: { '@_type': 'threshold', '@_message': `${t.threshold} breached: ${t.detail}` } }),
  }));
  const suites = [
    {
      '@_name': summary.scenario,
      '@_tests': cases.length,
      '@_failures': cases.filter((c) => c.failure).length,
      '@_errors': 0,
      '@_timestamp': summary.startedAt,
      '@_time': seconds.toFixed(3),
      properties: {
        property: [
          { '@_name': 'runId', '@_value': summary.runId },
          { '@_name': 'people', '@_value': summary.users.total },
          { '@_name': 'passed', '@_value': summary.users.passed },
          { '@_name': 'failed', '@_value': summary.users.failed },
        ],
      },
      testcase: cases,
    },
    ...(thresholdCases.length
      ? [{ '@_name': `${summary.scenario} thresholds`, '@_tests': thresholdCases.length, '@_failures': thresholdCases.filter((c) => 'failure' in c).length, '@_errors': 0, testcase: thresholdCases }]
      : []),
  ];
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'Turnout',
      '@_tests': suites.reduce((n, s) => n + s['@_tests'], 0),
      '@_failures': suites.reduce((n, s) => n + s['@_failures'], 0),
      '@_time': seconds.toFixed(3),
      testsuite: suites,
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true }).build(doc);
}
