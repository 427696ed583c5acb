/**
 * The swarm's cluster examples (docs/examples/swarm-k8s.yaml, docs/examples/swarm-slurm.sh),
 * checked for form, not against a cluster: the manifest parses and has the Indexed Job and the
 * merge, its shell scripts and the Slurm script pass `sh -n` / `bash -n`, docs/scale.md shows
 * both files as they are, and the Slurm script runs two array tasks locally (a `spex` on the
 * PATH that is the built CLI) whose results merge.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { root, spex } from '../support/cli.js';

const k8s = readFileSync(join(root, 'docs/examples/swarm-k8s.yaml'), 'utf8');
const slurm = readFileSync(join(root, 'docs/examples/swarm-slurm.sh'), 'utf8');

interface Container {
  name: string;
  command: string[];
  args: string[];
}

function syntaxOk(shell: 'sh' | 'bash', script: string): { status: number | null; stderr: string } {
  const r = spawnSync(shell, ['-n'], { input: script, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('the Kubernetes example', () => {
  const docs = parseAllDocuments(k8s);
  const objects = docs.map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: Record<string, unknown> });

  it('is well-formed YAML: a volume claim, an Indexed Job of 8 and a merge Job', () => {
    for (const d of docs) expect(d.errors).toEqual([]);
    expect(objects.map((o) => [o.kind, o.metadata.name])).toEqual([
      ['PersistentVolumeClaim', 'spex-swarm-results'],
      ['Job', 'spex-swarm'],
      ['Job', 'spex-swarm-merge'],
    ]);
    const swarm = objects[1]!.spec;
    expect(swarm['completionMode']).toBe('Indexed');
    expect(swarm['completions']).toBe(8);
  });

  it('runs job JOB_COMPLETION_INDEX + 1 of 8, then merges; every script passes sh -n', () => {
    const containers = (o: (typeof objects)[number]): Container[] => {
      const pod = (o.spec['template'] as { spec: { containers: Container[]; initContainers?: Container[] } }).spec;
      return [...(pod.initContainers ?? []), ...pod.containers];
    };
    const job = containers(objects[1]!)[0]!;
    expect(job.args[0]).toContain('i=$((JOB_COMPLETION_INDEX + 1))');
    expect(job.args[0]).toContain('--swarm "$i/$JOBS"');
    expect(job.args[0]).toContain('--out "/results/job-$i.json"');
    const merge = containers(objects[2]!);
    expect(merge.map((c) => c.name)).toEqual(['wait-for-jobs', 'merge']);
    expect(merge[1]!.args[0]).toContain('spex swarm merge /results/job-*.json');
    for (const c of [job, ...merge]) {
      expect(c.command).toEqual(['/bin/sh', '-c']);
      expect(syntaxOk('sh', c.args[0]!)).toEqual({ status: 0, stderr: '' });
    }
  });
});

describe('the Slurm example', () => {
  it('passes bash -n and is an array of 8', () => {
    expect(syntaxOk('bash', slurm)).toEqual({ status: 0, stderr: '' });
    expect(slurm).toMatch(/^#SBATCH --array=1-8$/m);
    expect(slurm).toContain('--swarm "$i/$jobs"');
  });

  it('runs as two array tasks on this machine, and their results merge', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spex-slurm-'));
    try {
      writeFileSync(join(dir, 'spex'), `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'dist/cli/main.js')}" "$@"\n`);
      chmodSync(join(dir, 'spex'), 0o755);
      const results = join(dir, 'results');
      for (const task of ['1', '2']) {
        const env = { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}`, SLURM_ARRAY_TASK_ID: task, SLURM_ARRAY_TASK_COUNT: '2', SPEC: 'spec/memcg/rfc-reparent-lrus.spex', CHECK: 'RfcAwol', RESULTS: results };
        const r = spawnSync('bash', [join(root, 'docs/examples/swarm-slurm.sh')], { cwd: root, env, encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
      }
      const m = spex('swarm', 'merge', join(results, 'job-1.json'), join(results, 'job-2.json'));
      expect(m.code).toBe(12);
      expect(m.stdout).toContain('RfcAwol: violation NoAwol');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('docs/scale.md', () => {
  it('shows both example files as they are', () => {
    const doc = readFileSync(join(root, 'docs/scale.md'), 'utf8');
    expect(doc).toContain('```yaml\n' + k8s + '```');
    expect(doc).toContain('```bash\n' + slurm + '```');
  });
});
