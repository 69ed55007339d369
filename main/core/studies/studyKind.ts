import type { JobServices, JobLogLevel } from '../jobs/jobKind.ts';
import type { FdPoolService } from '../physics/pool.ts';
import type { OnnxPoolService } from '../ml/onnxPool.ts';
import type { Catalogue } from '../store/catalogue.ts';
import type { Progress } from '../util/progress.ts';
import type { StudyKindName, StudyParams } from '../contract/parameters.ts';
import type { StudyTable } from '../contract/contract.ts';
import type { ChartSpec } from './chart.ts';

/** The compute a study may use: the studio's FD solver pool and ONNX sessions. */
export type StudyServices = JobServices & FdPoolService & OnnxPoolService;

/** What a running study is given (its job's context, minus checkpoints: a resumed study starts again). */
export interface StudyContext {
  /** The open project's folder and catalogue (for 'project:ID' models and the project's datasets). */
  projectDir: string;
  /**
   * The study's own folder, studies/<id>/. Work a study keeps beside its report (e.g. the training
   * runs of the augmentation study, which a resumed study reuses) goes into subfolders of it; the
   * report files are replaced when the study finishes.
   */
  folder: string;
  catalogue: Catalogue;
  services: StudyServices;
  signal: AbortSignal;
  progress(progress: Progress): void;
  log(message: string, level?: JobLogLevel): void;
}

/** A plot of the report: written as plots/<name>.png. */
export interface StudyPlot {
  /** File name without extension: letters, digits, '-' and '_'. */
  name: string;
  title: string;
  chart: ChartSpec;
}

/** What a study computes; the framework writes it as report.md, results.json and plots/*.png. */
export interface StudyOutcome {
  /** The headline numbers: `wavediff study <kind> --json` prints exactly this, and the catalogue keeps it. */
  summary: Record<string, unknown>;
  /** Every number, the seeds and the model ids (results.json adds the kind, the parameters and the versions). */
  results: Record<string, unknown>;
  table: StudyTable;
  plots: StudyPlot[];
  /** The report's prose in order (a verdict first), Markdown; the table, the plots and the parameters follow. */
  sections: { heading: string; markdown: string }[];
}

/** One kind of study: its parameters are `studyParameters[kind]` in contract/parameters.ts. */
export interface StudyKind<K extends StudyKindName> {
  kind: K;
  title(params: StudyParams<K>): string;
  run(ctx: StudyContext, params: StudyParams<K>): Promise<StudyOutcome>;
}
