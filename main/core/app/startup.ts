import type { ProjectInfo } from '../api/contract.ts';
import type { Studio } from './studio.ts';
import { openDemoProject } from './demoProject.ts';

/**
 * The project a shell opens at start: the one asked for, else the most recently used one that still
 * exists, else the demo project (created on first start).
 */
export async function openStartupProject(studio: Studio, requested?: string): Promise<ProjectInfo> {
  if (requested) return studio.openProject(requested);
  const recent = studio.user.recentProjects().find((p) => p.exists);
  if (recent) {
    try {
      return await studio.openProject(recent.folder);
    } catch (error) {
      studio.notice('warn', `Could not reopen ${recent.folder}: ${(error as Error).message} Opening the demo project instead.`);
    }
  }
  return openDemoProject(studio);
}
