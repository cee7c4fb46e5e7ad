export const id = 326;
export const ids = [326];
export const modules = {

/***/ 6326:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  openCommentPublisher: () => (/* binding */ openCommentPublisher)
});

// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js + 22 modules
var github = __webpack_require__(2413);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 17 modules
var core = __webpack_require__(8298);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-throttling/dist-bundle/index.js
var dist_bundle = __webpack_require__(6856);
// EXTERNAL MODULE: ./node_modules/bottleneck/light.js
var light = __webpack_require__(3251);
var light_default = /*#__PURE__*/__webpack_require__.n(light);
;// CONCATENATED MODULE: ./src/github/rate-limits.ts


/**
 * The plugin's own spacing of writes (1 s apart, 3 s between new comments) is left out: the publisher
 * already spaces its updates (`comment-interval`, 10 s by default), and the final write should not wait.
 */
const unspaced = () => new (light_default()).Group({ maxConcurrent: 1 });
/**
 * Installs the throttling plugin on an existing client (a plugin is a function of the instance and its
 * options; `getOctokit(token, options, throttling)` would call it the same way).
 */
const watchRateLimits = (octokit, onLimited) => {
    const report = (kind) => (retryAfterSeconds, options) => {
        onLimited({ kind, retryAfterSeconds, request: `${options.method} ${options.url}` });
        return false;
    };
    (0,dist_bundle/* throttling */.A)(octokit, {
        throttle: {
            onSecondaryRateLimit: report('secondary'),
            onRateLimit: report('primary'),
            write: unspaced(),
            notifications: unspaced(),
        },
    });
};

;// CONCATENATED MODULE: ./src/github/comment-publisher.ts
// Keeps one PR comment current: finds the comment this action wrote before (by its marker and a bot
// author), creates it once if there is none, then edits it in place, throttled. Publishing is best
// effort: failures become warnings, nothing here throws, and every request has a deadline.
//
// When GitHub rate-limits the token, every request of the publisher pauses for as long as GitHub asks;
// updates made meanwhile replace each other and only the newest is written when the pause ends. The final
// flush waits out a pause only if it ends within the flush's time; otherwise it gives up with one warning.


const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_FLUSH_TIMEOUT_MS = 30_000;
/** GitHub: a secondary limit without `retry-after` or an empty bucket means "wait at least one minute". */
const FALLBACK_RATE_LIMIT_SECONDS = 60;
/** Final writes refused by a rate limit, each waited out, before the flush gives up. */
const MAX_FINAL_ATTEMPTS = 3;
/** Least time the final write needs after a pause; a pause ending later than this before the deadline is not waited out. */
const WRITE_MARGIN_MS = 1_000;
/** 10,000 comments; past that a PR is not worth paging further for one comment. */
const MAX_COMMENT_PAGES = 100;
/** The `rel="next"` URL of a Link header, only if it stays on the API origin (the token goes with it). */
function nextPageUrl(link, currentUrl) {
    const next = link === undefined ? undefined : /<([^<>]+)>;\s*rel="next"/.exec(link)?.[1];
    if (next === undefined)
        return undefined;
    try {
        return new URL(next).origin === new URL(currentUrl).origin ? next : undefined;
    }
    catch {
        return undefined;
    }
}
/** Rejects when the signal aborts, for racing calls that might not honour it. */
function whenAborted(signal) {
    return new Promise((_, reject) => {
        const fail = () => reject(signal.reason);
        if (signal.aborted)
            fail();
        else
            signal.addEventListener('abort', fail, { once: true });
    });
}
/** A signal that aborts after `ms` on the timers a fake clock controls; `clear` when done with it. */
function deadlineSignal(ms) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('The operation timed out.', 'TimeoutError')), Math.max(0, ms));
    // Like AbortSignal.timeout: a deadline alone does not keep the process alive.
    timer.unref?.();
    return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
/** Resolves after `ms`, or at once when `ms` is not positive. Keeps the process alive meanwhile. */
function sleep(ms) {
    return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
/** `promise`, or undefined once `ms` have passed. */
async function within(promise, ms) {
    let timer;
    const timeout = new Promise((resolve) => {
        timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
    });
    try {
        return await Promise.race([promise, timeout]);
    }
    finally {
        clearTimeout(timer);
    }
}
function httpStatus(error) {
    const status = error?.status;
    return typeof status === 'number' ? status : undefined;
}
/** A rate limit the throttling plugin did not report (e.g. an unusual message); never a permission 403. */
function looksRateLimited(error) {
    const status = httpStatus(error);
    if (status !== 403 && status !== 429)
        return false;
    const headers = error?.response?.headers;
    return (status === 429 || headers?.['x-ratelimit-remaining'] === '0' || /rate limit/i.test(errorMessage(error)));
}
function errorMessage(error) {
    return error instanceof Error ? error.message : String(error);
}
const seconds = (ms) => `${Math.round(ms / 100) / 10} s`;
function createCommentPublisher(opts) {
    const { octokit, owner, repo, issueNumber, marker } = opts;
    const requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const log = opts.log ?? { warning: (m) => core/* warning */.$e(m), debug: (m) => core/* debug */.Yz(m) };
    const where = `${owner}/${repo}#${issueNumber}`;
    let commentId;
    let commentUrl;
    /** Body the comment has now, as far as we know; equal bodies are not written again. */
    let currentBody;
    /** Id of a comment this run created, ours whoever the author appears to be. */
    let createdId;
    /** Set after a 403/404 that retrying will not fix. */
    let disabled = false;
    let flushed = false;
    /** The next body, or a function that renders it: rendering waits until a write is actually due. */
    let pendingBody;
    let timer;
    let inflight;
    let lastWriteStartedAt = Number.NEGATIVE_INFINITY;
    /** One warning per streak of transient failures; the rest go to debug. */
    let warnedSinceSuccess = false;
    let warnedNoMarker = false;
    /** No request before this time (epoch ms): GitHub rate-limited the token. */
    let pausedUntil = 0;
    let lastLimit;
    /** Counts rate-limit notices, so a write can tell whether its own failure was one. */
    let limitCount = 0;
    function pauseFor(notice) {
        limitCount++;
        lastLimit = notice;
        pausedUntil = Math.max(pausedUntil, Date.now() + notice.retryAfterSeconds * 1000);
        log.debug(`GitHub answered ${notice.request} with its ${notice.kind} rate limit: ` +
            `no PR comment write for ${notice.retryAfterSeconds} s`);
    }
    (opts.watchRateLimits ?? watchRateLimits)(octokit, pauseFor);
    /** A body without the marker would be written but never found again: one comment per run. */
    function checkMarker(body) {
        if (warnedNoMarker || body.includes(marker))
            return;
        warnedNoMarker = true;
        log.warning(`The PR comment body lacks its marker ${marker}; later runs will not find this comment to edit it.`);
    }
    const botLogin = opts.botLogin?.toLowerCase().replace(/\[bot\]$/, '');
    /**
     * The token's own login when GitHub tells it (a personal access token); GET /user is refused for a
     * GITHUB_TOKEN or an app token, whose comments are recognized as a bot's instead. Asked until GitHub
     * answers or refuses: a rate limit or an outage is not an answer.
     */
    let ownLogin;
    function tokenLogin(signal) {
        ownLogin ??= octokit.rest.users.getAuthenticated({ request: { signal } }).then(({ data }) => (data.type === 'User' ? data.login.toLowerCase() : undefined), (error) => {
            const status = httpStatus(error);
            if ((status === 401 || status === 403 || status === 404) && !looksRateLimited(error))
                return undefined;
            ownLogin = undefined;
            throw error;
        });
        return ownLogin;
    }
    let userLogin;
    function isOurs(comment) {
        if (typeof comment.body !== 'string' || !comment.body.includes(marker))
            return false;
        if (comment.id === createdId)
            return true;
        if (userLogin !== undefined)
            return comment.user?.login.toLowerCase() === userLogin;
        // A person's comment may quote the marker; only a bot (the token's identity) wrote ours.
        if (comment.user?.type !== 'Bot')
            return false;
        return botLogin === undefined || comment.user.login.toLowerCase().replace(/\[bot\]$/, '') === botLogin;
    }
    function adopt(comment, body) {
        commentId = comment.id;
        commentUrl = comment.html_url;
        currentBody = body;
    }
    /**
     * Oldest comment of ours on the PR, paging through all comments (listed oldest first) by their
     * `Link: rel="next"` headers. Paged by hand because octokit.paginate drops `request.signal`.
     */
    async function findComment(signal) {
        userLogin = await tokenLogin(signal);
        let response = await octokit.rest.issues.listComments({
            owner,
            repo,
            issue_number: issueNumber,
            per_page: 100,
            request: { signal },
        });
        for (let page = 1;; page++) {
            signal.throwIfAborted();
            const found = response.data.find(isOurs);
            if (found)
                return found;
            const next = nextPageUrl(response.headers.link, response.url);
            if (next === undefined || page >= MAX_COMMENT_PAGES)
                return undefined;
            response = await octokit.request(`GET ${next}`, { request: { signal } });
        }
    }
    async function write(body, signal) {
        for (let attempt = 0;; attempt++) {
            // Listed right before any create, so a comment written meanwhile (another run, or a create of
            // ours whose answer was lost) is edited instead of duplicated.
            if (commentId === undefined) {
                const found = await findComment(signal);
                signal.throwIfAborted();
                if (found)
                    adopt(found, found.body ?? undefined);
            }
            if (commentId === undefined) {
                const { data } = await octokit.rest.issues.createComment({
                    owner,
                    repo,
                    issue_number: issueNumber,
                    body,
                    request: { signal },
                });
                // Even a create that lands after the deadline is found by the next write's listing.
                signal.throwIfAborted();
                createdId = data.id;
                adopt(data, body);
                log.debug(`Created PR comment ${data.id} on ${where}`);
                return;
            }
            if (body === currentBody) {
                log.debug(`PR comment ${commentId} unchanged; not edited`);
                return;
            }
            try {
                const { data } = await octokit.rest.issues.updateComment({
                    owner,
                    repo,
                    comment_id: commentId,
                    body,
                    request: { signal },
                });
                signal.throwIfAborted();
                adopt(data, body);
                log.debug(`Updated PR comment ${data.id} on ${where}`);
                return;
            }
            catch (error) {
                // Someone deleted the comment: look again (and create) once.
                if (httpStatus(error) !== 404 || attempt > 0)
                    throw error;
                log.debug(`PR comment ${commentId} is gone; looking for or creating another`);
                commentId = undefined;
                commentUrl = undefined;
                currentBody = undefined;
            }
        }
    }
    function report(error, attempt) {
        const { signal, final } = attempt;
        const status = httpStatus(error);
        if (limitCount > attempt.limitsBefore || looksRateLimited(error)) {
            if (limitCount === attempt.limitsBefore) {
                pauseFor({
                    kind: 'secondary',
                    retryAfterSeconds: FALLBACK_RATE_LIMIT_SECONDS,
                    request: `a write (${errorMessage(error)})`,
                });
            }
            // Written when the pause ends, unless a newer body comes first; flush() handles the final one.
            if (!final)
                pendingBody ??= attempt.body;
            return;
        }
        if (status === 403) {
            disabled = true;
            log.warning(`Cannot write the pull request comment on ${where}: GitHub answered 403 (${errorMessage(error)}). ` +
                'The token needs `pull-requests: write`; add it under `permissions:` in the workflow. ' +
                'Pull requests from forks get a read-only GITHUB_TOKEN, so they get no comment; ' +
                'the job summary has the same report. Continuing without a PR comment.');
            return;
        }
        if (status === 404) {
            disabled = true;
            log.warning(`Cannot write the pull request comment: ${where} was not found or is not visible to the token (404). ` +
                'Continuing without a PR comment.');
            return;
        }
        if (signal.aborted && !attempt.timedOut()) {
            log.debug('PR comment write superseded by the final update');
            return;
        }
        const reason = attempt.timedOut()
            ? `no answer within ${seconds(attempt.timeoutMs)}`
            : errorMessage(error);
        const message = final
            ? `Could not write the final state of the PR comment on ${where} (${reason}); it may be out of date.`
            : `Could not update the PR comment on ${where} (${reason}); will try again with the next change.`;
        if (final || !warnedSinceSuccess)
            log.warning(message);
        else
            log.debug(message);
        warnedSinceSuccess = true;
    }
    function startWrite(body, final, timeoutMs = requestTimeoutMs) {
        const controller = new AbortController();
        const deadline = deadlineSignal(timeoutMs);
        const signal = AbortSignal.any([controller.signal, deadline.signal]);
        const attempt = {
            body,
            final,
            signal,
            timeoutMs,
            timedOut: () => deadline.signal.aborted,
            limitsBefore: limitCount,
        };
        lastWriteStartedAt = Date.now();
        const entry = {
            controller,
            mayCreate: commentId === undefined,
            // The race bounds the wait even if a request ignored the signal; the write cannot change any
            // state after the abort (it checks the signal after every await).
            done: Promise.race([write(body, signal), whenAborted(signal)])
                .then(() => {
                warnedSinceSuccess = false;
            }, (error) => report(error, attempt))
                .finally(deadline.clear),
        };
        inflight = entry;
        void entry.done.finally(() => {
            if (inflight === entry)
                inflight = undefined;
            pump();
        });
        return entry;
    }
    /** Starts the pending write when the interval and any rate-limit pause allow and nothing is in flight. */
    function pump() {
        if (disabled || flushed || timer !== undefined || inflight !== undefined || pendingBody === undefined)
            return;
        const wait = Math.max(lastWriteStartedAt + opts.minIntervalMs, pausedUntil) - Date.now();
        if (wait > 0) {
            timer = setTimeout(() => {
                timer = undefined;
                pump();
            }, wait);
            // A pending update must not keep the process alive; flush() is the write that has to happen.
            timer.unref?.();
            return;
        }
        const body = typeof pendingBody === 'function' ? pendingBody() : pendingBody;
        pendingBody = undefined;
        checkMarker(body);
        if (commentId !== undefined && body === currentBody)
            return;
        startWrite(body, false);
    }
    /** The one warning of a final write that a rate limit kept from GitHub. */
    function warnStale(timeoutMs) {
        const kind = lastLimit?.kind ?? 'secondary';
        const asked = lastLimit ? `retry after ${lastLimit.retryAfterSeconds} s` : 'retry later';
        log.warning(`The PR comment on ${where} is out of date: GitHub rate-limited writes to it (${kind} rate limit: ` +
            `${asked}, ${seconds(Math.max(0, pausedUntil - Date.now()))} from now), and this step waits at most ` +
            `${seconds(timeoutMs)} for the comment. It shows an earlier state of the run; ` +
            'the job summary has the final report.');
    }
    return {
        update(body) {
            if (disabled || flushed)
                return;
            pendingBody = body;
            pump();
        },
        async flush(body, options = {}) {
            const timeoutMs = options.timeoutMs ?? opts.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
            const deadline = Date.now() + timeoutMs;
            flushed = true;
            checkMarker(body);
            pendingBody = undefined;
            if (timer !== undefined) {
                clearTimeout(timer);
                timer = undefined;
            }
            const running = inflight;
            if (running) {
                // An edit in flight is superseded by this one; a possible create is awaited (it has its own
                // deadline) so the final write edits that comment instead of creating a second one.
                if (!running.mayCreate)
                    running.controller.abort();
                await within(running.done, deadline - Date.now());
            }
            for (let attempt = 1; !disabled; attempt++) {
                const wait = pausedUntil - Date.now();
                if (wait > 0 && Date.now() + wait + WRITE_MARGIN_MS > deadline) {
                    warnStale(timeoutMs);
                    break;
                }
                await sleep(wait);
                const left = deadline - Date.now();
                if (left <= 0) {
                    log.warning(`Could not write the final state of the PR comment on ${where} within ${seconds(timeoutMs)}; it may be out of date.`);
                    break;
                }
                const limitsBefore = limitCount;
                await startWrite(body, true, Math.min(requestTimeoutMs, left)).done;
                // Refused by a rate limit: wait that out too if time allows; anything else is final.
                if (limitCount === limitsBefore)
                    break;
                if (attempt === MAX_FINAL_ATTEMPTS) {
                    warnStale(timeoutMs);
                    break;
                }
            }
            return { id: commentId, url: commentUrl };
        },
    };
}

;// CONCATENATED MODULE: ./src/github/open-publisher.ts
// The GitHub edge of the comment publisher: an Octokit client for the workflow's token and API URL.


function openCommentPublisher(options) {
    const { token, baseUrl, ...rest } = options;
    return createCommentPublisher({ octokit: (0,github/* getOctokit */.Q)(token, { baseUrl }), ...rest });
}


/***/ })

};
