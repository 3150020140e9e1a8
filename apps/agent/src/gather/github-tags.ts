import { RequestError } from 'octokit';
import type { GatherResult } from '@planekeeper/domain';
import { newestLookingTags } from './newest-tags.ts';
import { createGithubClient, githubFailure, type GithubGatherOptions, type GithubSource } from './github.ts';
import { toIsoOrNull } from './dates.ts';

/** Tags of a github_tag gather whose commit date is read (one request each), newest-looking first. */
export const GITHUB_DATED_TAGS = 10;

/**
 * Every tag of a GitHub repository that tags without publishing releases, all pages, with a
 * conditional first request (an unchanged repository answers 304 without costing rate limit).
 * The tags API gives no dates: the commit dates of the newest-looking tags are read from the git
 * data API (one request each, so only the few that can be the latest); the rest keep publishedAt
 * null and are dated by when Planekeeper first saw them.
 */
export async function gatherGithubTags(source: GithubSource, options: GithubGatherOptions & { datedTags?: number }): Promise<GatherResult> {
  const { logger } = options;
  const octokit = createGithubClient(source, options);
  const etag = options.etag ?? options.etags.get(options.jobId);
  const tags: { name: string; sha: string }[] = [];
  let firstPageEtag: string | undefined;
  try {
    const pages = octokit.paginate.iterator(octokit.rest.repos.listTags, {
      owner: source.owner,
      repo: source.repo,
      per_page: 100,
      headers: etag === undefined ? {} : { 'if-none-match': etag },
    });
    for await (const page of pages) {
      firstPageEtag ??= page.headers.etag;
      for (const tag of page.data) tags.push({ name: tag.name, sha: tag.commit.sha });
    }
  } catch (error) {
    if (error instanceof RequestError && error.status === 304 && etag !== undefined) {
      logger.debug({ jobId: options.jobId }, 'GitHub tags not modified');
      return { releases: [], notModified: true, etag };
    }
    throw githubFailure(error, source, options.signal, 'tags');
  }
  const shaOf = new Map(tags.map((tag) => [tag.name, tag.sha]));
  const dates = new Map<string, string | null>();
  for (const name of newestLookingTags([...shaOf.keys()], options.datedTags ?? GITHUB_DATED_TAGS)) {
    try {
      const { data } = await octokit.rest.git.getCommit({ owner: source.owner, repo: source.repo, commit_sha: shaOf.get(name) as string });
      dates.set(name, toIsoOrNull(data.committer?.date ?? data.author?.date));
    } catch (error) {
      if (options.signal?.aborted) throw githubFailure(error, source, options.signal, 'tags');
      logger.debug({ tag: name, err: error }, 'could not read the commit date of a tag');
    }
  }
  if (firstPageEtag !== undefined) options.etags.set(options.jobId, firstPageEtag);
  // Tag pages link to github.com only when the repository is there (a GHE base URL is its API's).
  const page = (name: string) => (source.baseUrl ? null : `https://github.com/${source.owner}/${source.repo}/tree/${encodeURIComponent(name)}`);
  const releases = tags.map((tag) => ({ tag: tag.name, publishedAt: dates.get(tag.name) ?? null, prerelease: false, url: page(tag.name) }));
  return firstPageEtag === undefined ? { releases } : { releases, etag: firstPageEtag };
}
