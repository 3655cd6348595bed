"""Record a publisher's machine-readable TDM signals (TDMRep) on its site policy."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sources.feed_ingest import publisher_named
from sources.fetch import FetchError, fetch
from sources.ingest import IngestError
from sources.site_policy import (
    Location,
    Observation,
    SignalError,
    host_of,
    parse_policy_text,
    read_headers,
    read_html_meta,
    read_robots_txt,
    read_tdmrep_json,
    site_policy_record,
    tdm_policy_store,
)

WELL_KNOWN = "/.well-known/tdmrep.json"


def _remote(source: str) -> bool:
    return source.startswith(("http://", "https://"))


class Command(BaseCommand):
    help = (
        "Record what a publisher's site says about text and data mining in machine-readable "
        "form: tdmrep.json, HTTP headers, HTML meta, robots.txt (informative only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("publisher", help="The publisher's name (or alias), as recorded.")
        parser.add_argument(
            "--tdmrep-json", metavar="FILE|URL", help="/.well-known/tdmrep.json, a file or URL."
        )
        parser.add_argument("--headers", metavar="FILE", help="A response's HTTP headers.")
        parser.add_argument("--html", metavar="FILE", help="An HTML page (its <meta> pair).")
        parser.add_argument("--robots-txt", metavar="FILE", help="The site's robots.txt.")
        parser.add_argument(
            "--url",
            help="The resource the headers or HTML belong to (default: the page's canonical "
            "link); also names the site.",
        )
        parser.add_argument("--site", help="The site's URL or host (default: from the URLs given).")
        parser.add_argument(
            "--tdm-policy",
            metavar="FILE",
            help="The TDM policy (ODRL JSON-LD) the signals name; fetched when not given.",
        )

    def handle(self, *args, **options):
        try:
            self._handle(options)
        except (SignalError, FetchError, IngestError) as error:
            raise CommandError(str(error)) from None

    def _handle(self, options):
        publisher = publisher_named(options["publisher"])
        if not any(options[name] for name in ("tdmrep_json", "headers", "html", "robots_txt")):
            raise SignalError(
                "Nothing to record: give --tdmrep-json, --headers, --html or --robots-txt."
            )
        if options["url"] and not _remote(options["url"]):
            raise SignalError(f"--url must be an http(s) URL, not {options['url']!r}.")
        observations: list[Observation] = []
        hosts: set[str] = set()
        if options["site"]:
            site = options["site"].strip()
            hosts.add(host_of(site) if "//" in site else site.lower())
        if options["url"]:
            hosts.add(host_of(options["url"]))

        # Read everything first: any bad input stops here, before anything is stored.
        if options["tdmrep_json"]:
            source = options["tdmrep_json"]
            if _remote(source):
                parts = urlsplit(source)
                if parts.path in ("", "/"):
                    source = urlunsplit((parts.scheme, parts.netloc, WELL_KNOWN, "", ""))
                hosts.add(host_of(source))
            text = self._text(source)
            observations.append(
                Observation(
                    Location.TDMREP_JSON, source=source, rules=tuple(read_tdmrep_json(text))
                )
            )
        html_meta = None
        if options["html"]:
            html_meta = read_html_meta(self._text(options["html"]))
            if html_meta.problem:
                raise SignalError(f"{options['html']}: {html_meta.problem}")
            if html_meta.rule is None:
                raise SignalError(
                    f'{options["html"]} has no <meta name="tdm-reservation"> or '
                    '<meta name="tdm-policy">.'
                )
        resource = options["url"] or (html_meta.canonical_url if html_meta else "")
        if (options["headers"] or options["html"]) and not _remote(resource or ""):
            raise SignalError(
                "Say which resource the headers or HTML belong to: give --url (or an HTML page "
                "with a canonical link)."
            )
        if resource:
            hosts.add(host_of(resource))
        if options["headers"]:
            rule = read_headers(self._text(options["headers"]))
            observations.append(
                Observation(
                    Location.HEADER,
                    source=options["headers"],
                    rules=(rule,),
                    resource_url=resource,
                )
            )
        if html_meta is not None:
            observations.append(
                Observation(
                    Location.HTML_META,
                    source=options["html"],
                    rules=(html_meta.rule,),
                    resource_url=resource,
                )
            )
        if options["robots_txt"]:
            rules = read_robots_txt(self._text(options["robots_txt"]))
            observations.append(
                Observation(Location.ROBOTS_TXT, source=options["robots_txt"], robots=tuple(rules))
            )
        if not hosts and publisher.url:
            hosts.add(host_of(publisher.url))
        hosts.discard("")
        if not hosts:
            raise SignalError("Which site is this? Give --site (or --url).")
        if len(hosts) > 1:
            raise SignalError(f"The signals name more than one site: {', '.join(sorted(hosts))}.")
        readings = self._policies(observations, options["tdm_policy"])
        with transaction.atomic():  # the policies and the signals, or nothing
            policies = {
                url: tdm_policy_store(url=url, document=document, source=source, problem=problem)
                for url, (document, source, problem) in readings.items()
            }
            recorded = site_policy_record(
                publisher=publisher, host=hosts.pop(), observations=observations, policies=policies
            )
        self.stdout.write(
            f"Recorded {len(recorded.signals)} signal(s) on the site policy of "
            f"{recorded.site.host} ({publisher})."
        )
        for signal in recorded.signals:
            self.stdout.write(f"  {signal}")
        for warning in recorded.warnings:
            self.stdout.write(f"  warning: {warning}")

    def _policies(self, observations, policy_file) -> dict:
        """Read the TDM policies the reserving signals name: the file given, else fetched."""
        urls = {
            rule.policy_url
            for observation in observations
            for rule in observation.rules
            if rule.policy_url and rule.reservation != 0
        }
        if policy_file:
            if len(urls) != 1:
                raise SignalError(
                    "--tdm-policy needs exactly one tdm-policy URL among the signals; found "
                    f"{len(urls)}."
                )
            document = parse_policy_text(self._text(policy_file), where=policy_file)
            return {urls.pop(): (document, policy_file, "")}
        readings = {}
        for url in sorted(urls):
            try:
                document = parse_policy_text(fetch(url).decode("utf-8", "replace"), where=url)
            except (FetchError, SignalError) as error:
                # TDMRep: an unreadable policy is no protocol error; the conditions stay unknown.
                readings[url] = (None, url, str(error))
            else:
                readings[url] = (document, url, "")
        return readings

    def _text(self, source: str) -> str:
        if _remote(source):
            return fetch(source).decode("utf-8", "replace")
        try:
            return Path(source).read_bytes().decode("utf-8", "replace")
        except OSError as error:
            raise SignalError(f"Cannot read {source}: {error.strerror}.") from None
