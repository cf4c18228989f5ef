namespace Mesh.Policy.Domain;

/// <summary>
/// Reads OpenFGA's modelling language (schema 1.1):
/// <code>
/// model
///   schema 1.1
/// type document
///   relations
///     define viewer: [user, group#member, user:*] or editor or viewer from parent
/// condition in_region(region: string) { region == "eu" }
/// </code>
/// Operators are <c>or</c>, <c>and</c> and <c>but not</c>; mixing them needs parentheses. A direct
/// assignment (<c>[...]</c>) may only open a definition. Errors carry the 1-based line and column.
/// The result is not validated against OpenFGA's model rules; <see cref="TypeSystem.Create"/> does that.
/// </summary>
public static class DslParser
{
    private static readonly HashSet<string> ReservedWords =
        new(StringComparer.Ordinal) { "or", "and", "from", "with", "define", "relations", "condition" };

    private static readonly HashSet<string> ParameterTypes =
        new(StringComparer.Ordinal) { "bool", "string", "int", "uint", "double", "duration", "timestamp", "ipaddress" };

    /// <summary>Parses a model.</summary>
    /// <exception cref="DslSyntaxException">The text is not a valid model.</exception>
    public static AuthorizationModel Parse(string dsl)
    {
        ArgumentNullException.ThrowIfNull(dsl);
        return new Reader(new DslLexer(dsl)).ReadModel();
    }

    private sealed class Reader(DslLexer lexer)
    {
        private DslToken current = lexer.Next();

        public AuthorizationModel ReadModel()
        {
            SkipNewLines();
            if (current.IsWord("module"))
            {
                throw Error(current, "modular models ('module') are not supported; combine the modules into one model");
            }

            ExpectWord("model");
            ExpectLineEnd();
            SkipNewLines();
            ExpectWord("schema");
            var version = Expect(DslTokenKind.Word, "a schema version such as 1.1");
            if (!IsSchemaVersion(version.Text))
            {
                throw Error(version, $"'{version.Text}' is not a schema version such as 1.1");
            }

            ExpectLineEnd();
            var types = new List<TypeDefinition>();
            var conditions = new List<ConditionDefinition>();
            var conditionNames = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                SkipNewLines();
                if (current.Kind == DslTokenKind.End)
                {
                    return new AuthorizationModel(version.Text, types, conditions);
                }

                if (current.IsWord("type"))
                {
                    Advance();
                    types.Add(ReadType());
                }
                else if (current.IsWord("condition"))
                {
                    var keyword = Advance();
                    var condition = ReadCondition();
                    if (!conditionNames.Add(condition.Name))
                    {
                        throw Error(keyword, $"condition '{condition.Name}' is already defined in the model");
                    }

                    conditions.Add(condition);
                }
                else
                {
                    throw Error(current, $"expected 'type' or 'condition' but found {current.Describe()}");
                }
            }
        }

        private TypeDefinition ReadType()
        {
            var name = ExpectName("a type name");
            ExpectLineEnd();
            SkipNewLines();
            var relations = new List<RelationDefinition>();
            if (!current.IsWord("relations"))
            {
                return new TypeDefinition(name.Text, relations);
            }

            Advance();
            ExpectLineEnd();
            SkipNewLines();
            if (!current.IsWord("define"))
            {
                throw Error(current, $"expected 'define' after 'relations' but found {current.Describe()}");
            }

            while (current.IsWord("define"))
            {
                Advance();
                var relationName = ExpectName("a relation name");
                if (relations.Any(r => r.Name == relationName.Text))
                {
                    throw Error(relationName, $"'{relationName.Text}' is already defined in '{name.Text}'");
                }

                Expect(DslTokenKind.Colon, "':' after the relation name");
                var restrictions = new List<RelationReference>();
                var rewrite = ReadDefinition(restrictions, directAllowed: true);
                relations.Add(new RelationDefinition(relationName.Text, rewrite, restrictions));
                ExpectLineEnd();
                SkipNewLines();
            }

            return new TypeDefinition(name.Text, relations);
        }

        private Userset ReadDefinition(List<RelationReference> restrictions, bool directAllowed)
        {
            var first = ReadFirstOperand(restrictions, directAllowed);
            if (current.IsWord("or") || current.IsWord("and"))
            {
                var keyword = current.Text;
                var children = new List<Userset> { first };
                while (current.IsWord(keyword))
                {
                    Advance();
                    children.Add(ReadOperand(restrictions));
                }

                RejectMixedOperator();
                return keyword == "or" ? new UnionUserset(children) : new IntersectionUserset(children);
            }

            if (current.IsWord("but"))
            {
                Advance();
                ExpectWord("not");
                var subtract = ReadOperand(restrictions);
                RejectMixedOperator();
                return new DifferenceUserset(first, subtract);
            }

            return first;
        }

        private Userset ReadFirstOperand(List<RelationReference> restrictions, bool directAllowed)
        {
            if (current.Kind == DslTokenKind.LeftBracket)
            {
                if (!directAllowed)
                {
                    throw Error(current, "a direct assignment '[...]' may only open a definition");
                }

                ReadDirectAssignment(restrictions);
                return new DirectUserset();
            }

            if (current.Kind == DslTokenKind.LeftParen)
            {
                Advance();
                var inner = ReadDefinition(restrictions, directAllowed);
                Expect(DslTokenKind.RightParen, "')'");
                return inner;
            }

            return ReadRewrite();
        }

        private Userset ReadOperand(List<RelationReference> restrictions)
        {
            if (current.Kind == DslTokenKind.LeftBracket)
            {
                throw Error(current, "a direct assignment '[...]' may only open a definition");
            }

            if (current.Kind == DslTokenKind.LeftParen)
            {
                Advance();
                var inner = ReadDefinition(restrictions, directAllowed: false);
                Expect(DslTokenKind.RightParen, "')'");
                return inner;
            }

            return ReadRewrite();
        }

        private Userset ReadRewrite()
        {
            var relation = ExpectName("a relation name, '(' or '['");
            if (!current.IsWord("from"))
            {
                return new ComputedUserset(relation.Text);
            }

            Advance();
            var tupleset = ExpectName("the tupleset relation after 'from'");
            return new TupleToUserset(tupleset.Text, relation.Text);
        }

        private void RejectMixedOperator()
        {
            if (current.IsWord("or") || current.IsWord("and") || current.IsWord("but"))
            {
                throw Error(current, $"'{current.Text}' cannot follow a different operator without parentheses");
            }
        }

        private void ReadDirectAssignment(List<RelationReference> restrictions)
        {
            Advance();
            while (true)
            {
                SkipNewLines();
                var type = ExpectName("a type in the type restriction");
                string? relation = null;
                var wildcard = false;
                if (current.Kind == DslTokenKind.Colon)
                {
                    Advance();
                    Expect(DslTokenKind.Star, "'*' after ':' in a type restriction");
                    wildcard = true;
                }
                else if (current.Kind == DslTokenKind.Hash)
                {
                    Advance();
                    relation = ExpectName("a relation after '#'").Text;
                }

                string? condition = null;
                if (current.IsWord("with"))
                {
                    Advance();
                    condition = ExpectName("a condition name after 'with'").Text;
                }

                restrictions.Add(new RelationReference(type.Text, relation, wildcard, condition));
                SkipNewLines();
                if (current.Kind == DslTokenKind.RightBracket)
                {
                    Advance();
                    return;
                }

                Expect(DslTokenKind.Comma, "',' or ']' in the type restrictions");
            }
        }

        private ConditionDefinition ReadCondition()
        {
            var name = ExpectName("a condition name");
            Expect(DslTokenKind.LeftParen, "'(' after the condition name");
            var parameters = new List<ConditionParameter>();
            while (true)
            {
                SkipNewLines();
                var parameter = ExpectName("a parameter name");
                if (parameters.Any(p => p.Name == parameter.Text))
                {
                    throw Error(parameter, $"parameter '{parameter.Text}' is already defined in the condition '{name.Text}'");
                }

                Expect(DslTokenKind.Colon, "':' after the parameter name");
                parameters.Add(new ConditionParameter(parameter.Text, ReadParameterType()));
                SkipNewLines();
                if (current.Kind == DslTokenKind.RightParen)
                {
                    Advance();
                    break;
                }

                Expect(DslTokenKind.Comma, "',' or ')' in the parameter list");
            }

            if (current.Kind != DslTokenKind.LeftBrace)
            {
                throw Error(current, $"expected '{{' to open the condition expression but found {current.Describe()}");
            }

            // The body is CEL, not DSL: it is read as raw text straight after the brace.
            var brace = current;
            var expression = lexer.ReadConditionBody(brace.Line, brace.Column);
            if (expression.Length == 0)
            {
                throw Error(brace, $"condition '{name.Text}' has an empty expression");
            }

            current = lexer.Next();
            ExpectLineEnd();
            return new ConditionDefinition(name.Text, expression, parameters);
        }

        private ConditionParameterType ReadParameterType()
        {
            var type = Expect(DslTokenKind.Word, "a parameter type");
            if (type.Text is "map" or "list")
            {
                Expect(DslTokenKind.Less, $"'<' after '{type.Text}'");
                var element = Expect(DslTokenKind.Word, "an element type");
                if (!ParameterTypes.Contains(element.Text))
                {
                    throw Error(element, $"'{element.Text}' is not a condition parameter type");
                }

                Expect(DslTokenKind.Greater, "'>'");
                return new ConditionParameterType(TypeName(type.Text), [new ConditionParameterType(TypeName(element.Text), [])]);
            }

            return ParameterTypes.Contains(type.Text)
                ? new ConditionParameterType(TypeName(type.Text), [])
                : throw Error(type, $"'{type.Text}' is not a condition parameter type");
        }

        private static string TypeName(string dslType) => "TYPE_NAME_" + dslType.ToUpperInvariant();

        private static bool IsSchemaVersion(string text)
        {
            var dot = text.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 && dot < text.Length - 1 && text.Remove(dot, 1).All(char.IsAsciiDigit);
        }

        private DslToken ExpectName(string what)
        {
            var token = Expect(DslTokenKind.Word, what);
            if (ReservedWords.Contains(token.Text) || !(char.IsAsciiLetter(token.Text[0]) || token.Text[0] == '_'))
            {
                throw Error(token, $"expected {what} but found '{token.Text}'");
            }

            return token;
        }

        private void ExpectWord(string word)
        {
            if (!current.IsWord(word))
            {
                throw Error(current, $"expected '{word}' but found {current.Describe()}");
            }

            Advance();
        }

        private DslToken Expect(DslTokenKind kind, string what)
        {
            if (current.Kind != kind)
            {
                throw Error(current, $"expected {what} but found {current.Describe()}");
            }

            return Advance();
        }

        private void ExpectLineEnd()
        {
            if (current.Kind is not (DslTokenKind.NewLine or DslTokenKind.End))
            {
                throw Error(current, $"expected the end of the line but found {current.Describe()}");
            }
        }

        private void SkipNewLines()
        {
            while (current.Kind == DslTokenKind.NewLine)
            {
                Advance();
            }
        }

        private DslToken Advance()
        {
            var token = current;
            current = lexer.Next();
            return token;
        }

        private static DslSyntaxException Error(DslToken at, string reason) => new(at.Line, at.Column, reason);
    }
}
