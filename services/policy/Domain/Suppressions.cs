using System.Diagnostics.CodeAnalysis;

[assembly: SuppressMessage(
    "Naming",
    "CA1720:Identifier contains type name",
    Justification = "'object' is OpenFGA's name for the resource side of a relationship tuple; the API mirrors it.",
    Scope = "namespaceanddescendants",
    Target = "~N:Mesh.Policy")]
