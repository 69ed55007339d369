import os from 'node:os';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import type { EventName, EventPayload, ProjectInfo } from '../contract/contract.ts';
import { JobManager } from '../jobs/jobManager.ts';
import { Project } from '../store/project.ts';
import { describeHolder } from '../store/writeLock.ts';
import { StudioError } from '../contract/errors.ts';
import { UserStore } from './userStore.ts';
import type { JobKind, JobServices, LentServices } from '../jobs/jobKind.ts';
import { SizedPools } from '../workers/sizedPools.ts';
import { FdWorkerPool, type FdPoolService } from '../physics/pool.ts';
import type { KernelChoice } from '../physics/kernels.ts';
import { OnnxSessionPool, type OnnxPoolService } from '../ml/onnxPool.ts';

export type ShellKind = 'electron' | 'browser' | 'cli';

/** What the studio lends its jobs: the union of what the job kinds ask for. */
export type StudioServices = JobServices & FdPoolService & OnnxPoolService;

export interface StudioOptions {
  dataDir: string;
  shell: ShellKind;
  jobKinds: JobKind<any, any, any, StudioServices>[];
  /**
   * What this process is, as another process that tries to write the same project is told
   * (default: the app and shell, or the wavediff command line).
   */
  processLabel?: string;
  /** Worker threads for this process, overriding the setting (the CLI's --threads). */
  workerThreads?: number;
  /** The FD kernel of this process's solver pool (the CLI's --kernel); default auto. */
  kernel?: KernelChoice;
}

function defaultProcessLabel(shell: ShellKind): string {
  if (shell === 'electron') return 'WaveDiffusion Studio (desktop app)';
  if (shell === 'browser') return 'WaveDiffusion Studio (browser shell, npm run serve)';
  return ['wavediff', ...process.argv.slice(2)].join(' ');
}

/**
 * The composition root of the core: user settings, the open project and its job manager, and the
 * event stream that shells forward to their clients. One per process.
 */
export class Studio {
  readonly shell: ShellKind;
  readonly user: UserStore;
  readonly jobs: JobManager<StudioServices>;
  readonly processLabel: string;
  private readonly emitter = new EventEmitter();
  private current: Project | null = null;
  private detachCatalogue: (() => void) | null = null;
  /** Pools sized by the worker-thread setting; one replaced by a new size closes when its last job is done with it. */
  private readonly solverPools = new SizedPools((size) => new FdWorkerPool({ size, kernel: this.kernel }));
  private readonly inferencePools = new SizedPools(
    (cores) => new OnnxSessionPool({ cores, provider: 'auto', onNotice: (message) => this.notice('warn', message) }),
  );
  private readonly threadsOverride: number | undefined;
  private readonly kernel: KernelChoice | undefined;

  constructor(options: StudioOptions) {
    this.shell = options.shell;
    this.processLabel = options.processLabel ?? defaultProcessLabel(options.shell);
    this.threadsOverride = options.workerThreads;
    this.kernel = options.kernel;
    this.user = new UserStore(options.dataDir);
    this.jobs = new JobManager({
      maxConcurrent: this.user.settings().maxConcurrentJobs,
      services: () => this.lendServices(),
    });
    for (const kind of options.jobKinds) this.jobs.register(kind);
    this.jobs.onUpdate((job) => this.emit('job.updated', job));
    this.emitter.setMaxListeners(100);
  }

  get cores(): number {
    return os.availableParallelism();
  }

  /** Worker threads the user allows for compute (this process's override, else the setting, or all cores when it is 0). */
  get workerThreads(): number {
    if (this.threadsOverride !== undefined) return this.threadsOverride;
    const setting = this.user.settings().workerThreads;
    return setting > 0 ? setting : this.cores;
  }

  /**
   * The FD solver's worker pool, sized by the worker-thread setting; created on first use. For a
   * call that is done when its promise settles (a request): after the setting changes, this pool
   * closes once its calls are done. Jobs borrow theirs (lendServices) and keep it to the end.
   */
  fdPool(): FdWorkerPool {
    return this.solverPools.current(this.workerThreads);
  }

  /**
   * onnxruntime sessions (generation, probes) in worker threads, using the cores the worker-thread
   * setting allows; CUDA where its provider loads, else the CPU with a notice to every client.
   * Requests and jobs get it as they get fdPool().
   */
  onnxPool(): OnnxSessionPool {
    return this.inferencePools.current(this.workerThreads);
  }

  /**
   * What one job run may use: the pools it asks for are borrowed at the size the setting has when
   * it first asks, and stay its own until it ends; a new setting applies to the jobs after it.
   */
  private lendServices(): LentServices<StudioServices> {
    const solver = this.solverPools.lend(() => this.workerThreads);
    const inference = this.inferencePools.lend(() => this.workerThreads);
    return {
      services: {
        fdPool: () => solver.pool(),
        onnxPool: () => inference.pool(),
        settings: () => this.user.settings(),
        notice: (level, message) => this.notice(level, message),
      },
      release: () => {
        void solver.release();
        void inference.release();
      },
    };
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    this.emitter.emit('event', event, payload);
  }

  /** Every event, for shells to forward. Returns the unsubscribe function. */
  onEvent(listener: (event: EventName, payload: unknown) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  notice(level: 'info' | 'warn' | 'error', message: string): void {
    this.emit('notice', { level, message });
  }

  get project(): Project | null {
    return this.current;
  }

  requireProject(): Project {
    if (!this.current) throw new StudioError('no_project', 'Open or create a project first.');
    return this.current;
  }

  /** `remember: false` keeps the project off the user's recent list (and so from being reopened at start): a command's scratch project. */
  private async use(project: Project, remember = true): Promise<ProjectInfo> {
    await this.closeProject();
    this.current = project;
    this.detachCatalogue = project.catalogue.onChange((tables) => this.emit('catalogue.changed', { tables }));
    this.jobs.attach(project);
    // A window follows the project's cluster jobs again; a command follows only the job it was asked to.
    if (!project.readOnly && this.shell !== 'cli') this.jobs.reattach();
    const info = project.info();
    // A read-only opener changes nothing, the user's recent projects included.
    if (!project.readOnly && remember) this.user.rememberProject(info.folder, info.name);
    const stale = project.lock?.takenOverFrom;
    if (stale) {
      this.notice('warn', `Took over ${info.folder} from ${describeHolder(stale)}, which stopped without closing it; its unfinished jobs are marked interrupted.`);
    }
    this.emit('project.changed', info);
    return info;
  }

  async createProject(folder: string, name: string, options: { isDemo?: boolean; remember?: boolean } = {}): Promise<ProjectInfo> {
    return this.use(Project.create(folder, name, { isDemo: options.isDemo, holder: this.processLabel }), options.remember);
  }

  /**
   * Opens a project for writing (taking its write lock; refused with a message naming the holder
   * when another process has it), or with `readOnly` for listing only.
   */
  async openProject(folder: string, options: { readOnly?: boolean; remember?: boolean } = {}): Promise<ProjectInfo> {
    // Reopening the open project: release it first, or this process would be refused its own lock.
    if (this.current && path.resolve(folder) === this.current.folder) await this.closeProject();
    return this.use(Project.open(folder, { readOnly: options.readOnly, holder: this.processLabel }), options.remember);
  }

  async closeProject(): Promise<void> {
    const project = this.current;
    if (!project) return;
    await this.jobs.detach();
    this.detachCatalogue?.();
    this.detachCatalogue = null;
    project.close();
    this.current = null;
    this.emit('project.changed', null);
  }

  async shutdown(): Promise<void> {
    await this.closeProject();
    await this.solverPools.close();
    await this.inferencePools.close();
    this.emitter.removeAllListeners();
  }
}
