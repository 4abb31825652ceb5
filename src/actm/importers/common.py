"""What drafts of every format share: your organisation, the zones, owners whose trust is asked,
and packages with their publishers.

Every importer that drafts a system starts from :func:`ground`: the system, your organisation
(the first-party owner ``us``, which ``--into`` maps to the model's own), a zone of yours and the
internet. Owners the input names but does not rate (a provider, a publisher, the host of a URL)
are written ``trust: untrusted`` with the question (:func:`owner`); a package
(:func:`add_package`) carries whether its version floats and whether it is verified, its
publisher as such an owner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from actm.importers.draft import DraftBuilder, Review, slug
from actm.importers.mcp.launch import PackageSpec
from actm.importers.mcp.secrets import redact_args
from actm.importers.values import skip

__all__ = ["INTERNET", "US", "add_package", "ground", "organisation", "owner", "text_of", "trust"]

US = "us"
"""The id of your organisation in every draft."""
INTERNET = "internet"
"""The id of the internet's zone in every draft."""


def text_of(value: Any, limit: int = 2000) -> str | None:
    """A string value, stripped and cut to ``limit`` characters; None for anything else (a
    value of another type is counted: importers/values.py)."""
    if not isinstance(value, str):
        skip("a string", value)
        return None
    text = " ".join(value.split())
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def trust(name: str) -> Review:
    """The question about an owner's trust."""
    return Review(
        "trust", f"is {name} first_party, contracted (add contract: the agreement) or untrusted?"
    )


def owner(builder: DraftBuilder, ident: str, name: str, pointer: str = "") -> str:
    """An owner the input names but does not rate: untrusted until a person says otherwise."""
    return builder.add(
        "owners", ident, {"name": name, "trust": "untrusted"}, pointer, [trust(name)]
    )


def organisation(builder: DraftBuilder) -> str:
    """Your organisation, the first-party owner ``us``."""
    return builder.add(
        "owners",
        US,
        {"name": "Your organisation", "first_party": True, "trust": "first_party"},
        review=[Review("name", "who runs this system? rename the owner if you like")],
    )


def ground(
    builder: DraftBuilder, system: str, name: str, zone: tuple[str, str, str], review: str
) -> None:
    """The system (id and name), your organisation, your zone (id, name, what it is: "machine",
    "network") and the internet."""
    builder.system(system, {"name": name, "owner": US}, review=[Review("", review)])
    organisation(builder)
    ident, zone_name, what = zone
    builder.add(
        "zones",
        ident,
        {"name": zone_name, "owner": US},
        review=[Review("trust", f"how far is this {what} trusted? (default: medium)")],
    )
    builder.add("zones", INTERNET, {"name": "The internet", "trust": "untrusted"})


def _publisher(builder: DraftBuilder, package: PackageSpec, pointer: str) -> str:
    who = package.publisher
    if package.author is not None:
        name, ident = who, slug(who)
    elif package.ecosystem == "npm" and who.startswith("@"):
        name, ident = f"npm scope {who}", slug(who)
    elif package.ecosystem == "oci":
        name, ident = f"image namespace {who}", slug(who.rsplit("/", 1)[-1])
    elif package.ecosystem == "github":
        who = who.split("/")[0]
        name, ident = f"GitHub account {who}", slug(who)
    else:
        name, ident = f"publisher of {package.ecosystem} package {who}", slug(who) + "-publisher"
    return owner(builder, ident, name, pointer)


def add_package(
    builder: DraftBuilder,
    package: PackageSpec,
    runs_on: Sequence[str],
    pointer: str,
    description: str | None = None,
) -> str:
    """A package whose code runs on ``runs_on``, and its publisher; returns its id. A secret
    in its name or version (a URL with a token or a password) is redacted, in its id too."""
    name, version = redact_args([package.name, package.version or ""])
    if (name, version or None) != (package.name, package.version):
        package = replace(package, name=name, version=version or None)
    fields: dict[str, Any] = {"name": package.name}
    if description is not None:
        fields["description"] = description
    fields["ecosystem"] = package.ecosystem
    if package.version is not None and not package.digest:
        fields["version"] = package.version
    fields |= {
        "pinned": package.pinned,
        "verified": package.digest,
        "publisher": _publisher(builder, package, pointer),
        "runs_on": list(runs_on),
    }
    reviews = []
    if not package.digest:
        reviews.append(
            Review("verified", "is its signature, hash or provenance checked when installed?")
        )
    if not package.pinned:
        reviews.append(Review("pinned", "its version floats: every start may run new code"))
    elif package.ecosystem == "oci" and not package.digest:
        reviews.append(Review("pinned", "a tag can be moved; pin the digest (@sha256:...)?"))
    return builder.add("packages", slug(package.name), fields, pointer, reviews)
