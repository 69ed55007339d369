import type { ProjectInfo } from '../contract/contract.ts';
import type { Studio } from './studio.ts';
import { openDemoProject } from './demoProject.ts';

/**
 * The project a shell opens at start: the one asked for, else the most recently used one that still
 * exists, else the demo project (created on first start). Null when the demo project cannot be
 * opened either (another studio process writes it): the shell starts with no project open.
 */
export async function openStartupProject(studio: Studio, requested?: string): Promise<ProjectInfo | null> {
  if (requested) return studio.openProject(requested);
  const recent = studio.user.recentProjects().find((p) => p.exists);
  if (recent) {
    try {
      return await studio.openProject(recent.folder);
    } catch (error) {
      studio.notice('warn', `Could not reopen ${recent.folder}: ${(error as Error).message} Opening the demo project instead.`);
    }
  }
  try {
    return await openDemoProject(studio);
  } catch (error) {
    studio.notice('warn', `Could not open the demo project: ${(error as Error).message} Open or create a project from the Projects view.`);
    return null;
  }
}
