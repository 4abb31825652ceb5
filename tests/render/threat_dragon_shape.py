"""What a Threat Dragon version 2 model must look like for Threat Dragon to open it, as we read
its published description: our own pydantic statement of the parts actm writes, strict where
Threat Dragon is (cell ids, element data with a name, a type and whether threats are open,
sizes of at least 10, integer diagram ids) and closed to keys actm does not mean to write."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Point(_Closed):
    x: float
    y: float


class Size(_Closed):
    width: float = Field(ge=10)
    height: float = Field(ge=10)


class End(_Closed):
    cell: str = Field(min_length=2)


class Threat(_Closed):
    id: str = Field(min_length=2)
    threatId: str = Field(min_length=2)
    title: str
    status: Literal["NA", "Open", "Mitigated"]
    severity: Literal["High", "Medium", "Low"]
    type: str
    description: str
    mitigation: str
    modelType: Literal["STRIDE", "LINDDUN", "CIA", "DIE", "PLOT4ai", "Generic"]


class CellData(_Closed):
    type: Literal["tm.Process", "tm.Store", "tm.Actor", "tm.Flow", "tm.BoundaryBox"]
    name: str
    description: str
    hasOpenThreats: bool
    isTrustBoundary: bool
    outOfScope: bool = False
    reasonOutOfScope: str = ""
    isWebApplication: bool = False
    isEncrypted: bool = False
    threats: list[Threat] = []


class Cell(_Closed):
    id: str = Field(min_length=2)
    shape: Literal["process", "store", "actor", "flow", "trust-boundary-box"]
    zIndex: int
    data: CellData
    attrs: dict[str, object]
    position: Point | None = None
    size: Size | None = None
    source: End | None = None
    target: End | None = None
    labels: list[dict[str, object]] = []


class Diagram(_Closed):
    id: int = Field(ge=0)
    title: str
    diagramType: str = Field(min_length=3)
    placeholder: str
    thumbnail: str
    version: str = Field(max_length=10)
    cells: list[Cell]


class Detail(_Closed):
    contributors: list[dict[str, str]]
    diagrams: list[Diagram]
    diagramTop: int
    reviewer: str
    threatTop: int


class Summary(_Closed):
    title: str
    owner: str
    description: str
    id: int = Field(ge=0)


class ThreatDragonModel(_Closed):
    version: str = Field(max_length=10)
    summary: Summary
    detail: Detail
