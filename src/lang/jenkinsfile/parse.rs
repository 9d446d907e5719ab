//! A tolerant parser of the Groovy that Jenkinsfiles are written in, into a call/closure
//! tree: statements of blocks, method calls with and without parentheses, named arguments,
//! closures, maps, lists, assignments, `if`/`else`, `try`/`catch`, loops, methods and classes
//! (loosely). What it does not model it skips as balanced tokens, so it never fails; syntax
//! errors are the lexer's (unterminated strings and comments) and the bracket check's.
//!
//! Nesting is bounded ([`MAX_DEPTH`]): deeper constructs are skipped as opaque expressions,
//! so neither the parser nor a walk of its tree can overflow the stack.

use super::lex::{self, Lexed, StrLit, SyntaxError, Tok, Token};
use crate::diagnostic::Span;

/// How deep expressions, closures and blocks may nest before they are skipped as opaque.
pub const MAX_DEPTH: u32 = 96;

#[derive(Debug, Default)]
pub struct File {
    pub lexed: Lexed,
    pub stmts: Vec<Stmt>,
    /// Every annotation in the file (`@Library('x') _`, `@Grab(…)`, `@NonCPS`), in order.
    pub annotations: Vec<Annotation>,
    /// `import …` statements.
    pub imports: Vec<Span>,
    /// Unbalanced brackets and the lexer's errors, in order of position.
    pub errors: Vec<SyntaxError>,
}

#[derive(Debug, Clone)]
pub struct Annotation {
    /// The name as written (`Library`, `groovy.transform.Field`).
    pub name: String,
    pub name_span: Span,
    pub args: Vec<Arg>,
    /// From `@` to the closing parenthesis (or the name).
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    /// Braces included (for the file's top level: the whole text).
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum StmtKind {
    /// An expression statement; a call (`sh 'x'`, `stage('a') { … }`) is `Expr` of
    /// [`ExprKind::Call`].
    Expr(Expr),
    /// `def x = …`, `String x = …`, `x = …`, `x += …`, `env.X = …`.
    Assign {
        /// `def` or a type before the target.
        declared: bool,
        target: Expr,
        op: Span,
        value: Option<Expr>,
    },
    If {
        cond: Option<Expr>,
        then: Box<Stmt>,
        otherwise: Option<Box<Stmt>>,
    },
    Try {
        body: Block,
        catches: Vec<Block>,
        finally: Option<Block>,
    },
    /// `for`, `while`, `do … while`, `switch`: the header skipped, the body parsed.
    Loop {
        keyword: Span,
        body: Box<Stmt>,
    },
    /// A `{ … }` block standing as a statement.
    Block(Block),
    /// A method definition (`def name(…) { … }`, `void name() { … }`).
    Method {
        name: String,
        name_span: Span,
        body: Block,
    },
    /// `class`, `interface`, `enum`: the body parsed as statements.
    Class {
        name: String,
        name_span: Span,
        body: Block,
    },
    Return(Option<Expr>),
    /// `import`, `package`, `break`, `case x:` and what the parser skips.
    Other,
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A string literal: its index in [`Lexed::strings`].
    Str(u32),
    Number,
    Bool(bool),
    Null,
    Ident(String),
    Property {
        target: Box<Expr>,
        name: String,
        name_span: Span,
    },
    Call(Box<Call>),
    Index {
        target: Box<Expr>,
        index: Vec<Arg>,
    },
    List(Vec<Arg>),
    /// `[a: 1, b: 2]`, `[:]`.
    Map(Vec<Arg>),
    Closure(Box<Closure>),
    /// `new X(…)`.
    New {
        class: String,
        args: Vec<Arg>,
    },
    /// Operands joined by binary operators, in order (`"a" + b`, `x ?: y`, `a ? b : c`).
    Operation {
        operands: Vec<Expr>,
        operators: Vec<Span>,
    },
    /// `!x`, `-x`, `(T) x`, `(x)`.
    Unary(Box<Expr>),
    /// What the parser skipped.
    Other,
}

#[derive(Debug, Clone)]
pub struct Call {
    /// The receiver of `a.b(…)`; `None` for a plain `b(…)`.
    pub target: Option<Expr>,
    pub name: String,
    pub name_span: Span,
    pub args: Vec<Arg>,
    /// Trailing closures (`foo(x) { … }`, `foo { … }`).
    pub closures: Vec<Closure>,
    /// Whether the arguments are in parentheses (`sh('x')`) or not (`sh 'x'`).
    pub parens: bool,
    /// The parenthesised argument list, parentheses included.
    pub args_span: Option<Span>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Arg {
    /// The name of a named argument (`time:` → `time`), with its span.
    pub name: Option<(String, Span)>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Closure {
    /// Parameter names (`{ a, b -> … }`).
    pub params: Vec<(String, Span)>,
    pub body: Block,
    pub span: Span,
}

impl Call {
    /// The first closure's block.
    pub fn block(&self) -> Option<&Block> {
        self.closures.first().map(|c| &c.body)
    }

    pub fn positional(&self) -> impl Iterator<Item = &Arg> {
        self.args.iter().filter(|a| a.name.is_none())
    }

    pub fn named(&self, name: &str) -> Option<&Arg> {
        self.args
            .iter()
            .find(|a| a.name.as_ref().is_some_and(|(n, _)| n == name))
    }

    /// The span of the call up to its first closure (`stage('a')` of `stage('a') { … }`).
    pub fn head_span(&self) -> Span {
        match self.closures.first() {
            Some(c) => self.span.start..c.span.start.max(self.span.start),
            None => self.span.clone(),
        }
    }
}

impl Stmt {
    /// The call this statement is, if it is one.
    pub fn call(&self) -> Option<&Call> {
        match &self.kind {
            StmtKind::Expr(Expr {
                kind: ExprKind::Call(c),
                ..
            }) => Some(c),
            _ => None,
        }
    }
}

impl Expr {
    pub fn call(&self) -> Option<&Call> {
        match &self.kind {
            ExprKind::Call(c) => Some(c),
            _ => None,
        }
    }

    /// The string literal this expression is.
    pub fn string<'l>(&self, lexed: &'l Lexed) -> Option<&'l StrLit> {
        match self.kind {
            ExprKind::Str(i) => lexed.string(i),
            _ => None,
        }
    }

    /// The value of a string literal without interpolation.
    pub fn literal_string(&self, lexed: &Lexed) -> Option<String> {
        self.string(lexed).and_then(StrLit::literal_value)
    }

    /// The name of a bare identifier.
    pub fn ident(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Ident(n) => Some(n),
            _ => None,
        }
    }

    /// The dotted name of an identifier or property chain (`env.FOO`, `params.x`).
    pub fn dotted(&self) -> Option<String> {
        match &self.kind {
            ExprKind::Ident(n) => Some(n.clone()),
            ExprKind::Property { target, name, .. } => {
                let mut chain = vec![name.as_str()];
                let mut t: &Expr = target;
                loop {
                    match &t.kind {
                        ExprKind::Ident(n) => {
                            chain.push(n);
                            break;
                        }
                        ExprKind::Property { target, name, .. } => {
                            chain.push(name);
                            t = target;
                        }
                        _ => return None,
                    }
                }
                chain.reverse();
                Some(chain.join("."))
            }
            _ => None,
        }
    }
}

/// Every call in a subtree with the calls that enclose it (outermost first), for rules that
/// look at steps anywhere (inside closures, `if` branches, map values, …).
pub fn for_each_call<'a>(stmts: &'a [Stmt], f: &mut dyn FnMut(&'a Call, &[&'a Call])) {
    let mut stack = Vec::new();
    for s in stmts {
        walk_stmt(s, &mut stack, f);
    }
}

fn walk_stmt<'a>(s: &'a Stmt, stack: &mut Vec<&'a Call>, f: &mut dyn FnMut(&'a Call, &[&'a Call])) {
    match &s.kind {
        StmtKind::Expr(e) => walk_expr(e, stack, f),
        StmtKind::Assign { target, value, .. } => {
            walk_expr(target, stack, f);
            if let Some(v) = value {
                walk_expr(v, stack, f);
            }
        }
        StmtKind::If {
            cond,
            then,
            otherwise,
        } => {
            if let Some(c) = cond {
                walk_expr(c, stack, f);
            }
            walk_stmt(then, stack, f);
            if let Some(o) = otherwise {
                walk_stmt(o, stack, f);
            }
        }
        StmtKind::Try {
            body,
            catches,
            finally,
        } => {
            walk_block(body, stack, f);
            for c in catches {
                walk_block(c, stack, f);
            }
            if let Some(b) = finally {
                walk_block(b, stack, f);
            }
        }
        StmtKind::Loop { body, .. } => walk_stmt(body, stack, f),
        StmtKind::Block(b) | StmtKind::Method { body: b, .. } | StmtKind::Class { body: b, .. } => {
            walk_block(b, stack, f)
        }
        StmtKind::Return(Some(e)) => walk_expr(e, stack, f),
        StmtKind::Return(None) | StmtKind::Other => {}
    }
}

fn walk_block<'a>(
    b: &'a Block,
    stack: &mut Vec<&'a Call>,
    f: &mut dyn FnMut(&'a Call, &[&'a Call]),
) {
    for s in &b.stmts {
        walk_stmt(s, stack, f);
    }
}

fn walk_args<'a>(
    args: &'a [Arg],
    stack: &mut Vec<&'a Call>,
    f: &mut dyn FnMut(&'a Call, &[&'a Call]),
) {
    for a in args {
        walk_expr(&a.value, stack, f);
    }
}

fn walk_expr<'a>(e: &'a Expr, stack: &mut Vec<&'a Call>, f: &mut dyn FnMut(&'a Call, &[&'a Call])) {
    match &e.kind {
        ExprKind::Call(c) => {
            if let Some(t) = &c.target {
                walk_expr(t, stack, f);
            }
            f(c, stack);
            stack.push(c);
            walk_args(&c.args, stack, f);
            for cl in &c.closures {
                walk_block(&cl.body, stack, f);
            }
            stack.pop();
        }
        ExprKind::Property { target, .. } => walk_expr(target, stack, f),
        ExprKind::Index { target, index } => {
            walk_expr(target, stack, f);
            walk_args(index, stack, f);
        }
        ExprKind::List(a) | ExprKind::Map(a) | ExprKind::New { args: a, .. } => {
            walk_args(a, stack, f)
        }
        ExprKind::Closure(c) => walk_block(&c.body, stack, f),
        ExprKind::Operation { operands, .. } => {
            for o in operands {
                walk_expr(o, stack, f);
            }
        }
        ExprKind::Unary(x) => walk_expr(x, stack, f),
        ExprKind::Str(_)
        | ExprKind::Number
        | ExprKind::Bool(_)
        | ExprKind::Null
        | ExprKind::Ident(_)
        | ExprKind::Other => {}
    }
}

/// Every statement span in the file with the span of its head (up to its first closure),
/// outermost first: what a suppression comment above a statement covers.
pub fn statement_heads(file: &File) -> Vec<Span> {
    let mut out: Vec<Span> = all_statements(&file.stmts)
        .into_iter()
        .map(|s| match s.call() {
            Some(c) => c.head_span(),
            None => match &s.kind {
                StmtKind::Method { body, .. } | StmtKind::Class { body, .. } => {
                    s.span.start..body.span.start.max(s.span.start)
                }
                _ => s.span.clone(),
            },
        })
        .collect();
    out.sort_by_key(|s| s.start);
    out
}

/// Every statement of `stmts` and those nested in them (blocks, branches, loops, `try`, and
/// the closures of calls and assignments), outermost first.
pub fn all_statements(stmts: &[Stmt]) -> Vec<&Stmt> {
    let mut out = Vec::new();
    let mut todo: Vec<&Stmt> = stmts.iter().rev().collect();
    while let Some(s) = todo.pop() {
        out.push(s);
        let mut children: Vec<&Stmt> = Vec::new();
        collect_child_stmts(s, &mut children);
        todo.extend(children.into_iter().rev());
    }
    out
}

fn collect_child_stmts<'a>(s: &'a Stmt, out: &mut Vec<&'a Stmt>) {
    let mut blocks: Vec<&'a Block> = Vec::new();
    match &s.kind {
        StmtKind::Expr(e) => expr_blocks(e, &mut blocks),
        StmtKind::Assign { value: Some(v), .. } => expr_blocks(v, &mut blocks),
        StmtKind::If {
            then, otherwise, ..
        } => {
            out.push(then);
            if let Some(o) = otherwise {
                out.push(o);
            }
        }
        StmtKind::Try {
            body,
            catches,
            finally,
        } => {
            blocks.push(body);
            blocks.extend(catches.iter());
            blocks.extend(finally.iter());
        }
        StmtKind::Loop { body, .. } => out.push(body),
        StmtKind::Block(b) | StmtKind::Method { body: b, .. } | StmtKind::Class { body: b, .. } => {
            blocks.push(b)
        }
        _ => {}
    }
    for b in blocks {
        out.extend(b.stmts.iter());
    }
}

/// The closure blocks directly in an expression (trailing closures and closure arguments,
/// not those nested deeper in other closures' statements).
fn expr_blocks<'a>(e: &'a Expr, out: &mut Vec<&'a Block>) {
    let mut todo = vec![e];
    while let Some(e) = todo.pop() {
        match &e.kind {
            ExprKind::Call(c) => {
                out.extend(c.closures.iter().map(|c| &c.body));
                todo.extend(c.args.iter().map(|a| &a.value));
                todo.extend(c.target.iter());
            }
            ExprKind::Closure(c) => out.push(&c.body),
            ExprKind::List(a) | ExprKind::Map(a) | ExprKind::New { args: a, .. } => {
                todo.extend(a.iter().map(|a| &a.value))
            }
            ExprKind::Index { target, index } => {
                todo.push(target);
                todo.extend(index.iter().map(|a| &a.value));
            }
            ExprKind::Property { target, .. } | ExprKind::Unary(target) => todo.push(target),
            ExprKind::Operation { operands, .. } => todo.extend(operands.iter()),
            _ => {}
        }
    }
}

pub fn parse(text: &str) -> File {
    let lexed = lex::lex(text);
    let mut errors = lexed.errors.clone();
    errors.extend(bracket_errors(&lexed.tokens, text, lexed.runs_to_eof));
    errors.sort_by_key(|e| e.span.start);
    let mut p = Parser {
        text,
        toks: &lexed.tokens,
        lexed: &lexed,
        pos: 0,
        depth: 0,
        annotations: Vec::new(),
        imports: Vec::new(),
    };
    let stmts = p.statements(None);
    let annotations = std::mem::take(&mut p.annotations);
    let imports = std::mem::take(&mut p.imports);
    File {
        lexed,
        stmts,
        annotations,
        imports,
        errors,
    }
}

/// Unbalanced `(`, `[`, `{`: a closer without an opener, an opener never closed.
fn bracket_errors(tokens: &[Token], text: &str, runs_to_eof: bool) -> Vec<SyntaxError> {
    let mut errors = Vec::new();
    let mut stack: Vec<&Token> = Vec::new();
    let closer_of = |k: Tok| match k {
        Tok::LParen => Tok::RParen,
        Tok::LBracket => Tok::RBracket,
        _ => Tok::RBrace,
    };
    let show = |t: &Token| {
        text.get(t.span.start as usize..t.span.end as usize)
            .unwrap_or("")
    };
    for t in tokens {
        match t.kind {
            Tok::LParen | Tok::LBracket | Tok::LBrace => stack.push(t),
            Tok::RParen | Tok::RBracket | Tok::RBrace => {
                if stack.last().is_some_and(|o| closer_of(o.kind) == t.kind) {
                    stack.pop();
                } else if let Some(at) = stack.iter().rposition(|o| closer_of(o.kind) == t.kind) {
                    let skipped: Vec<&Token> = stack.drain(at..).skip(1).collect();
                    if let Some(o) = skipped.first() {
                        errors.push(never_closed(o, show(o), skipped.len() - 1));
                    }
                } else {
                    errors.push(SyntaxError {
                        span: t.span.clone(),
                        message: format!("unexpected `{}`: nothing to close", show(t)),
                    });
                }
            }
            _ => {}
        }
    }
    // After a string or comment that swallowed the rest of the text, the openers before it
    // are closed in what it swallowed: that error is the one to report.
    // One error for the outermost opener left open (thousands of them are one mistake).
    if let Some(o) = stack.first().filter(|_| !runs_to_eof) {
        errors.push(never_closed(o, show(o), stack.len() - 1));
    }
    errors
}

fn never_closed(opener: &Token, shown: &str, more: usize) -> SyntaxError {
    let message = match more {
        0 => format!("`{shown}` is never closed"),
        1 => format!("`{shown}` is never closed (nor is 1 bracket opened after it)"),
        n => format!("`{shown}` is never closed (nor are {n} brackets opened after it)"),
    };
    SyntaxError {
        span: opener.span.clone(),
        message,
    }
}

const MODIFIERS: &[&str] = &[
    "private",
    "public",
    "protected",
    "static",
    "final",
    "abstract",
    "synchronized",
    "transient",
    "volatile",
];

const TYPE_WORDS: &[&str] = &[
    "void", "int", "long", "boolean", "double", "float", "char", "byte", "short",
];

struct Parser<'a> {
    text: &'a str,
    toks: &'a [Token],
    lexed: &'a Lexed,
    pos: usize,
    depth: u32,
    annotations: Vec<Annotation>,
    imports: Vec<Span>,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.pos)
    }

    fn kind(&self) -> Option<Tok> {
        self.peek().map(|t| t.kind)
    }

    fn kind_at(&self, i: usize) -> Option<Tok> {
        self.toks.get(i).map(|t| t.kind)
    }

    fn text_of(&self, t: &Token) -> &'a str {
        self.text
            .get(t.span.start as usize..t.span.end as usize)
            .unwrap_or("")
    }

    fn text_at(&self, i: usize) -> &'a str {
        self.toks.get(i).map_or("", |t| self.text_of(t))
    }

    fn is_op(&self, i: usize, op: &str) -> bool {
        self.kind_at(i) == Some(Tok::Op) && self.text_at(i) == op
    }

    fn is_word(&self, i: usize, w: &str) -> bool {
        self.kind_at(i) == Some(Tok::Ident) && self.text_at(i) == w
    }

    fn start(&self) -> u32 {
        self.peek().map_or(self.text.len() as u32, |t| t.span.start)
    }

    /// The end of the last token consumed.
    fn prev_end(&self) -> u32 {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map_or(0, |t| t.span.end)
    }

    fn skip_newlines(&mut self) {
        while self.kind() == Some(Tok::Newline) {
            self.pos += 1;
        }
    }

    /// The index of the first token after `i` that is not a newline.
    fn next_non_newline(&self, mut i: usize) -> usize {
        while self.kind_at(i) == Some(Tok::Newline) {
            i += 1;
        }
        i
    }

    /// Skips one token, or a bracketed group with everything inside it.
    fn skip_balanced(&mut self) {
        let Some(first) = self.kind() else {
            return;
        };
        self.pos += 1;
        if !matches!(first, Tok::LParen | Tok::LBracket | Tok::LBrace) {
            return;
        }
        let mut depth = 1u32;
        while let Some(k) = self.kind() {
            self.pos += 1;
            match k {
                Tok::LParen | Tok::LBracket | Tok::LBrace => depth += 1,
                Tok::RParen | Tok::RBracket | Tok::RBrace => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    /// Skips to the end of the statement (a newline, `;` or `}` at this level).
    fn skip_rest_of_statement(&mut self) {
        while let Some(k) = self.kind() {
            match k {
                Tok::Newline | Tok::Semi | Tok::RBrace | Tok::RParen | Tok::RBracket => return,
                _ => self.skip_balanced(),
            }
        }
    }

    fn opaque(&mut self, start: u32) -> Expr {
        if self.pos < self.toks.len() && self.start() == start {
            self.skip_balanced();
        }
        Expr {
            kind: ExprKind::Other,
            span: start..self.prev_end().max(start),
        }
    }

    /// Statements until the `}` closing the block (`closing` is the index of `{`), or the end.
    fn statements(&mut self, open: Option<usize>) -> Vec<Stmt> {
        let mut stmts = Vec::new();
        loop {
            while matches!(self.kind(), Some(Tok::Newline | Tok::Semi)) {
                self.pos += 1;
            }
            match self.kind() {
                None => break,
                Some(Tok::RBrace) if open.is_some() => break,
                Some(Tok::RBrace | Tok::RParen | Tok::RBracket) => {
                    // A stray closer (reported by the bracket check).
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            let before = self.pos;
            if let Some(s) = self.statement() {
                stmts.push(s);
            }
            if self.pos == before {
                self.skip_balanced();
            }
        }
        stmts
    }

    /// `{ … }` at the current token (which must be `{`).
    fn block(&mut self) -> Block {
        let start = self.start();
        let open = self.pos;
        if self.depth >= MAX_DEPTH {
            self.skip_balanced();
            return Block {
                stmts: Vec::new(),
                span: start..self.prev_end(),
            };
        }
        self.depth += 1;
        self.pos += 1;
        let stmts = self.statements(Some(open));
        if self.kind() == Some(Tok::RBrace) {
            self.pos += 1;
        }
        self.depth -= 1;
        Block {
            stmts,
            span: start..self.prev_end().max(start),
        }
    }

    /// A block, or a single statement standing in for one (`if (x) sh 'y'`).
    fn body(&mut self) -> Box<Stmt> {
        self.skip_newlines();
        let start = self.start();
        if self.depth >= MAX_DEPTH {
            // `else if` chains and nested loops nest without braces: bound them too.
            if self.kind() == Some(Tok::LBrace) {
                self.skip_balanced();
            } else {
                self.skip_rest_of_statement();
            }
            return Box::new(Stmt {
                kind: StmtKind::Other,
                span: start..self.prev_end().max(start),
            });
        }
        self.depth += 1;
        let b = self.body_inner(start);
        self.depth -= 1;
        b
    }

    fn body_inner(&mut self, start: u32) -> Box<Stmt> {
        if self.kind() == Some(Tok::LBrace) {
            let b = self.block();
            return Box::new(Stmt {
                span: b.span.clone(),
                kind: StmtKind::Block(b),
            });
        }
        let s = if matches!(self.kind(), Some(Tok::RBrace) | None) {
            None
        } else {
            self.statement()
        };
        Box::new(s.unwrap_or(Stmt {
            kind: StmtKind::Other,
            span: start..start,
        }))
    }

    fn statement(&mut self) -> Option<Stmt> {
        let start = self.start();
        let t = self.peek()?;
        let stmt = |kind, end: u32| Stmt {
            kind,
            span: start..end.max(start),
        };
        if t.kind == Tok::Op && self.text_of(t) == "@" {
            self.annotation();
            return None;
        }
        if t.kind == Tok::LBrace {
            let b = self.block();
            let end = b.span.end;
            return Some(stmt(StmtKind::Block(b), end));
        }
        if t.kind != Tok::Ident {
            let e = self.expression();
            return Some(self.finish_expression_statement(start, e));
        }
        let word = self.text_of(t);
        match word {
            "import" | "package" => {
                self.skip_rest_of_statement();
                if word == "import" {
                    self.imports.push(start..self.prev_end());
                }
                return Some(stmt(StmtKind::Other, self.prev_end()));
            }
            "if" => return Some(self.if_statement()),
            "try" => return Some(self.try_statement()),
            "for" | "while" | "switch" | "synchronized" => {
                self.pos += 1;
                if self.kind() == Some(Tok::LParen) {
                    self.skip_balanced();
                }
                let body = self.body();
                return Some(stmt(
                    StmtKind::Loop {
                        keyword: t.span.clone(),
                        body,
                    },
                    self.prev_end(),
                ));
            }
            "do" => {
                self.pos += 1;
                let body = self.body();
                self.skip_newlines();
                if self.is_word(self.pos, "while") {
                    self.pos += 1;
                    if self.kind() == Some(Tok::LParen) {
                        self.skip_balanced();
                    }
                }
                return Some(stmt(
                    StmtKind::Loop {
                        keyword: t.span.clone(),
                        body,
                    },
                    self.prev_end(),
                ));
            }
            "case" => {
                self.pos += 1;
                let _ = self.expression();
                if self.is_op(self.pos, ":") {
                    self.pos += 1;
                }
                return Some(stmt(StmtKind::Other, self.prev_end()));
            }
            "default" if self.is_op(self.pos + 1, ":") => {
                self.pos += 2;
                return Some(stmt(StmtKind::Other, self.prev_end()));
            }
            "break" | "continue" => {
                self.pos += 1;
                self.skip_rest_of_statement();
                return Some(stmt(StmtKind::Other, self.prev_end()));
            }
            "return" | "throw" | "assert" => {
                self.pos += 1;
                let value = if matches!(
                    self.kind(),
                    None | Some(Tok::Newline | Tok::Semi | Tok::RBrace)
                ) {
                    None
                } else {
                    Some(self.expression())
                };
                self.skip_rest_of_statement();
                let kind = if word == "return" {
                    StmtKind::Return(value)
                } else {
                    StmtKind::Expr(value.unwrap_or(Expr {
                        kind: ExprKind::Other,
                        span: start..self.prev_end(),
                    }))
                };
                return Some(stmt(kind, self.prev_end()));
            }
            "class" | "interface" | "enum" | "trait" => return Some(self.class(start)),
            _ => {}
        }
        // Modifiers, `def` and types before a declaration or a method.
        let mut i = self.pos;
        let mut declared = false;
        while self.kind_at(i) == Some(Tok::Ident) && MODIFIERS.contains(&self.text_at(i)) {
            i += 1;
            declared = true;
        }
        if self.is_word(i, "class") || self.is_word(i, "enum") || self.is_word(i, "interface") {
            self.pos = i;
            return Some(self.class(start));
        }
        if self.is_word(i, "def") {
            i += 1;
            declared = true;
        }
        // A type: `String`, `List<String>`, `Map<K, V>`, `java.util.Date`, `String[]`.
        let type_start = i;
        let mut after_type = self.skip_type(i);
        let typed = after_type > type_start
            && self.kind_at(after_type) == Some(Tok::Ident)
            && self.kind_at(type_start) == Some(Tok::Ident)
            && {
                let ty = self.text_at(type_start);
                TYPE_WORDS.contains(&ty)
                    || ty.starts_with(|c: char| c.is_ascii_uppercase())
                    || declared
            };
        if !typed {
            after_type = type_start;
        }
        if declared || typed {
            // A method: name `(` … `)` `{`.
            if self.kind_at(after_type) == Some(Tok::Ident)
                && self.kind_at(after_type + 1) == Some(Tok::LParen)
            {
                let name_tok = &self.toks[after_type];
                self.pos = after_type + 1;
                self.skip_balanced();
                // `throws X, Y`
                if self.is_word(self.pos, "throws") {
                    while !matches!(self.kind(), None | Some(Tok::LBrace | Tok::Newline)) {
                        self.pos += 1;
                    }
                }
                let brace = self.next_non_newline(self.pos);
                if self.kind_at(brace) == Some(Tok::LBrace) {
                    self.pos = brace;
                    let body = self.block();
                    return Some(stmt(
                        StmtKind::Method {
                            name: self.text_of(name_tok).to_string(),
                            name_span: name_tok.span.clone(),
                            body,
                        },
                        self.prev_end(),
                    ));
                }
                // A declaration whose value is a call: `def x(…)` is not Groovy; treat the
                // rest as an expression.
                self.pos = after_type;
            } else {
                self.pos = after_type;
            }
            if matches!(self.kind(), Some(Tok::Ident | Tok::LParen)) {
                // `def (a, b) = …` or `def x = …` or `String x`.
                let target = if self.kind() == Some(Tok::LParen) {
                    let s = self.start();
                    self.opaque(s)
                } else {
                    let t = &self.toks[self.pos];
                    self.pos += 1;
                    Expr {
                        kind: ExprKind::Ident(self.text_of(t).to_string()),
                        span: t.span.clone(),
                    }
                };
                let (op, value) = if self.is_op(self.pos, "=") {
                    let op = self.toks[self.pos].span.clone();
                    self.pos += 1;
                    self.skip_newlines();
                    (op, Some(self.expression()))
                } else {
                    let end = target.span.end;
                    (end..end, None)
                };
                // `def a = 1, b = 2`
                self.skip_rest_of_statement();
                return Some(stmt(
                    StmtKind::Assign {
                        declared: true,
                        target,
                        op,
                        value,
                    },
                    self.prev_end(),
                ));
            }
        }
        let e = self.expression();
        Some(self.finish_expression_statement(start, e))
    }

    /// After a type starting at `i`: the index past `Name`, `a.b.Name`, `Name<…>`, `Name[]`.
    fn skip_type(&self, mut i: usize) -> usize {
        if self.kind_at(i) != Some(Tok::Ident) {
            return i;
        }
        i += 1;
        while self.is_op(i, ".") && self.kind_at(i + 1) == Some(Tok::Ident) {
            i += 2;
        }
        if self.is_op(i, "<") {
            let mut depth = 0i32;
            let mut j = i;
            while let Some(k) = self.kind_at(j) {
                let t = self.text_at(j);
                match (k, t) {
                    (Tok::Op, "<") => depth += 1,
                    (Tok::Op, ">") => depth -= 1,
                    (Tok::Op, ">>") => depth -= 2,
                    (Tok::Ident | Tok::Comma, _) | (Tok::Op, "." | "?") => {}
                    _ => return i,
                }
                j += 1;
                if depth <= 0 {
                    break;
                }
            }
            i = j;
        }
        while self.kind_at(i) == Some(Tok::LBracket) && self.kind_at(i + 1) == Some(Tok::RBracket) {
            i += 2;
        }
        i
    }

    fn finish_expression_statement(&mut self, start: u32, e: Expr) -> Stmt {
        // An assignment: `x = …`, `env.X = …`, `a[b] += …`.
        if self.kind() == Some(Tok::Op)
            && matches!(
                self.text_at(self.pos),
                "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "<<=" | ">>=" | "|=" | "&=" | "^=" | "**="
            )
        {
            let op = self.toks[self.pos].span.clone();
            self.pos += 1;
            self.skip_newlines();
            let value = self.expression();
            self.skip_rest_of_statement();
            return Stmt {
                kind: StmtKind::Assign {
                    declared: false,
                    target: e,
                    op,
                    value: Some(value),
                },
                span: start..self.prev_end(),
            };
        }
        self.skip_rest_of_statement();
        Stmt {
            kind: StmtKind::Expr(e),
            span: start..self.prev_end().max(start),
        }
    }

    fn annotation(&mut self) {
        let start = self.start();
        self.pos += 1; // `@`
        if self.is_word(self.pos, "interface") {
            self.pos += 1;
            return;
        }
        let name_start = self.start();
        let mut name = String::new();
        while self.kind() == Some(Tok::Ident) {
            name.push_str(self.text_at(self.pos));
            self.pos += 1;
            if self.is_op(self.pos, ".") && self.kind_at(self.pos + 1) == Some(Tok::Ident) {
                name.push('.');
                self.pos += 1;
            } else {
                break;
            }
        }
        let name_span = name_start..self.prev_end().max(name_start);
        let mut args = Vec::new();
        if self.kind() == Some(Tok::LParen) {
            args = self.paren_args().0;
        }
        if !name.is_empty() {
            self.annotations.push(Annotation {
                name,
                name_span,
                args,
                span: start..self.prev_end(),
            });
        }
        self.skip_newlines();
    }

    fn class(&mut self, start: u32) -> Stmt {
        self.pos += 1; // the keyword
        let (name, name_span) = match self.peek() {
            Some(t) if t.kind == Tok::Ident => {
                self.pos += 1;
                (self.text_of(t).to_string(), t.span.clone())
            }
            _ => (String::new(), start..start),
        };
        while !matches!(self.kind(), None | Some(Tok::LBrace | Tok::RBrace)) {
            self.skip_balanced();
        }
        let body = if self.kind() == Some(Tok::LBrace) {
            self.block()
        } else {
            Block {
                stmts: Vec::new(),
                span: self.prev_end()..self.prev_end(),
            }
        };
        Stmt {
            kind: StmtKind::Class {
                name,
                name_span,
                body,
            },
            span: start..self.prev_end().max(start),
        }
    }

    fn if_statement(&mut self) -> Stmt {
        let start = self.start();
        self.pos += 1;
        let cond = if self.kind() == Some(Tok::LParen) {
            let open = self.pos;
            self.pos += 1;
            self.skip_newlines();
            let c = self.expression();
            self.pos = open;
            self.skip_balanced();
            Some(c)
        } else {
            None
        };
        let then = self.body();
        let after = self.next_non_newline(self.pos);
        let otherwise = if self.is_word(after, "else") {
            self.pos = after + 1;
            Some(self.body())
        } else {
            None
        };
        Stmt {
            kind: StmtKind::If {
                cond,
                then,
                otherwise,
            },
            span: start..self.prev_end().max(start),
        }
    }

    fn try_statement(&mut self) -> Stmt {
        let start = self.start();
        self.pos += 1;
        self.skip_newlines();
        let block_here = |p: &mut Self| {
            p.skip_newlines();
            if p.kind() == Some(Tok::LBrace) {
                p.block()
            } else {
                let e = p.prev_end();
                Block {
                    stmts: Vec::new(),
                    span: e..e,
                }
            }
        };
        // try-with-resources
        if self.kind() == Some(Tok::LParen) {
            self.skip_balanced();
        }
        let body = block_here(self);
        let mut catches = Vec::new();
        let mut finally = None;
        loop {
            let next = self.next_non_newline(self.pos);
            if self.is_word(next, "catch") {
                self.pos = next + 1;
                if self.kind() == Some(Tok::LParen) {
                    self.skip_balanced();
                }
                catches.push(block_here(self));
            } else if self.is_word(next, "finally") {
                self.pos = next + 1;
                finally = Some(block_here(self));
            } else {
                break;
            }
        }
        Stmt {
            kind: StmtKind::Try {
                body,
                catches,
                finally,
            },
            span: start..self.prev_end().max(start),
        }
    }

    /// Whether the token at `i` can start a command argument (`sh 'x'`, `agent any`,
    /// `timeout time: 1`), so an identifier before it is a call without parentheses.
    fn starts_command_arg(&self, i: usize) -> bool {
        match self.kind_at(i) {
            // `foo [1]` is an index in Groovy, not a call with a list.
            Some(Tok::Str(_) | Tok::Number) => true,
            Some(Tok::Ident) => {
                let w = self.text_at(i);
                !matches!(w, "in" | "instanceof" | "as")
            }
            Some(Tok::Op) => matches!(self.text_at(i), "-" | "!" | "~" | "@"),
            _ => false,
        }
    }

    /// An expression: operands joined by binary operators, ternaries and elvis.
    fn expression(&mut self) -> Expr {
        let start = self.start();
        if self.depth >= MAX_DEPTH {
            self.skip_rest_of_expression();
            return Expr {
                kind: ExprKind::Other,
                span: start..self.prev_end().max(start),
            };
        }
        self.depth += 1;
        let first = self.unary();
        let mut operands = vec![first];
        let mut operators = Vec::new();
        while let Some(t) = self.peek() {
            let is_binary = match t.kind {
                Tok::Op => {
                    let op = self.text_of(t);
                    !matches!(op, "=" | "->" | "@" | ":" | "." | "?." | "*." | ".&" | ".@")
                        && !op.ends_with('=')
                        || matches!(op, "==" | "!=" | "<=" | ">=" | "===" | "!==")
                }
                Tok::Ident => matches!(self.text_of(t), "in" | "instanceof" | "as"),
                _ => false,
            };
            if !is_binary {
                break;
            }
            let op_text = self.text_of(t);
            operators.push(t.span.clone());
            self.pos += 1;
            self.skip_newlines();
            if op_text == "?" {
                // a ? b : c
                operands.push(self.unary());
                self.skip_newlines_before(":");
                if self.is_op(self.pos, ":") {
                    operators.push(self.toks[self.pos].span.clone());
                    self.pos += 1;
                    self.skip_newlines();
                    operands.push(self.unary());
                }
                continue;
            }
            if matches!(op_text, "as" | "instanceof") {
                let end = self.skip_type(self.pos).max(self.pos + 1);
                let s = self.start();
                self.pos = end.min(self.toks.len());
                operands.push(Expr {
                    kind: ExprKind::Other,
                    span: s..self.prev_end().max(s),
                });
                continue;
            }
            operands.push(self.unary());
        }
        self.depth -= 1;
        if operands.len() == 1 {
            operands.pop().unwrap_or(Expr {
                kind: ExprKind::Other,
                span: start..start,
            })
        } else {
            Expr {
                kind: ExprKind::Operation {
                    operands,
                    operators,
                },
                span: start..self.prev_end().max(start),
            }
        }
    }

    fn skip_newlines_before(&mut self, op: &str) {
        let next = self.next_non_newline(self.pos);
        if self.is_op(next, op) {
            self.pos = next;
        }
    }

    fn skip_rest_of_expression(&mut self) {
        while let Some(k) = self.kind() {
            match k {
                Tok::Newline
                | Tok::Semi
                | Tok::Comma
                | Tok::RBrace
                | Tok::RParen
                | Tok::RBracket => return,
                Tok::Op if self.text_at(self.pos) == ":" => return,
                _ => self.skip_balanced(),
            }
        }
    }

    fn unary(&mut self) -> Expr {
        let start = self.start();
        if self.kind() == Some(Tok::Op)
            && matches!(
                self.text_at(self.pos),
                "!" | "-" | "+" | "~" | "++" | "--" | "*"
            )
        {
            self.pos += 1;
            if self.depth >= MAX_DEPTH {
                return self.opaque(start);
            }
            self.depth += 1;
            let inner = self.unary();
            self.depth -= 1;
            return Expr {
                kind: ExprKind::Unary(Box::new(inner)),
                span: start..self.prev_end().max(start),
            };
        }
        let primary = self.primary();
        self.postfix(primary)
    }

    fn primary(&mut self) -> Expr {
        let start = self.start();
        let Some(t) = self.peek() else {
            return Expr {
                kind: ExprKind::Other,
                span: start..start,
            };
        };
        let done = |kind, p: &Self| Expr {
            kind,
            span: start..p.prev_end().max(start),
        };
        match t.kind {
            Tok::Str(i) => {
                self.pos += 1;
                done(ExprKind::Str(i), self)
            }
            Tok::Number => {
                self.pos += 1;
                done(ExprKind::Number, self)
            }
            Tok::LBrace => {
                let c = self.closure();
                done(ExprKind::Closure(Box::new(c)), self)
            }
            Tok::LBracket => self.list_or_map(),
            Tok::LParen => {
                // `(x)`, `(String) x`
                let open = self.pos;
                self.pos += 1;
                self.skip_newlines();
                let inner = self.expression();
                self.pos = open;
                self.skip_balanced();
                if self.kind() == Some(Tok::Ident) && self.is_cast_target(open) {
                    let e = self.unary();
                    return Expr {
                        kind: ExprKind::Unary(Box::new(e)),
                        span: start..self.prev_end().max(start),
                    };
                }
                done(ExprKind::Unary(Box::new(inner)), self)
            }
            Tok::Ident => {
                let word = self.text_of(t);
                match word {
                    "true" | "false" => {
                        self.pos += 1;
                        done(ExprKind::Bool(word == "true"), self)
                    }
                    "null" => {
                        self.pos += 1;
                        done(ExprKind::Null, self)
                    }
                    "new" => {
                        self.pos += 1;
                        let class_start = self.pos;
                        let after = self.skip_type(self.pos).max(self.pos);
                        let class = self.toks[class_start..after.min(self.toks.len())]
                            .iter()
                            .map(|t| self.text_of(t))
                            .collect::<String>();
                        self.pos = after.min(self.toks.len());
                        let mut args = Vec::new();
                        if self.kind() == Some(Tok::LParen) {
                            args = self.paren_args().0;
                        } else if self.kind() == Some(Tok::LBracket) {
                            self.skip_balanced();
                        }
                        if self.kind() == Some(Tok::LBrace) {
                            // An anonymous class body.
                            self.skip_balanced();
                        }
                        done(ExprKind::New { class, args }, self)
                    }
                    _ => {
                        self.pos += 1;
                        let name = word.to_string();
                        let name_span = t.span.clone();
                        // A call: `name(…)`, `name {…}`, or a command `name arg, key: v`.
                        if self.kind() == Some(Tok::LParen) {
                            return self.call_with_parens(None, name, name_span, start);
                        }
                        if self.closure_follows(start) {
                            let closures = self.trailing_closures();
                            return done(
                                ExprKind::Call(Box::new(Call {
                                    target: None,
                                    name,
                                    name_span,
                                    args: Vec::new(),
                                    closures,
                                    parens: false,
                                    args_span: None,
                                    span: start..self.prev_end(),
                                })),
                                self,
                            );
                        }
                        if self.starts_command_arg(self.pos) && !self.is_keyword(&name) {
                            return self.command_call(None, name, name_span, start);
                        }
                        done(ExprKind::Ident(name), self)
                    }
                }
            }
            Tok::Op if self.text_of(t) == "@" => {
                // Annotations inside an expression (on a parameter): skip them.
                while self.is_op(self.pos, "@") {
                    self.annotation();
                }
                if self.pos < self.toks.len() && !matches!(self.kind(), Some(Tok::Newline)) {
                    self.primary_after_annotations(start)
                } else {
                    self.opaque(start)
                }
            }
            _ => self.opaque(start),
        }
    }

    /// A primary after annotations were skipped; never recurses into another annotation.
    fn primary_after_annotations(&mut self, start: u32) -> Expr {
        if self.is_op(self.pos, "@") {
            return self.opaque(start);
        }
        self.primary()
    }

    fn is_keyword(&self, w: &str) -> bool {
        matches!(
            w,
            "return"
                | "if"
                | "else"
                | "for"
                | "while"
                | "def"
                | "new"
                | "this"
                | "super"
                | "class"
                | "in"
                | "as"
                | "instanceof"
                | "case"
                | "default"
                | "throw"
                | "try"
                | "catch"
                | "finally"
                | "import"
        )
    }

    /// Whether `(X) y` at `open` is a cast: a capitalised type alone in the parentheses.
    fn is_cast_target(&self, open: usize) -> bool {
        let inner = open + 1;
        let end = self.skip_type(inner);
        end > inner
            && self.kind_at(end) == Some(Tok::RParen)
            && (self
                .text_at(inner)
                .starts_with(|c: char| c.is_ascii_uppercase())
                || TYPE_WORDS.contains(&self.text_at(inner)))
            && self.pos == end + 1
    }

    /// Whether a closure follows the call that starts at byte `start`: on this line, or
    /// after newlines when the call starts its statement (`stage('a')\n{`), not after an
    /// expression like `x = y\n{`.
    fn closure_follows(&self, start: u32) -> bool {
        if self.kind() == Some(Tok::LBrace) {
            return true;
        }
        let next = self.next_non_newline(self.pos);
        if next == self.pos || self.kind_at(next) != Some(Tok::LBrace) {
            return false;
        }
        let first = self.toks.partition_point(|t| t.span.start < start);
        match first.checked_sub(1).and_then(|i| self.toks.get(i)) {
            None => true,
            Some(t) => {
                matches!(t.kind, Tok::Newline | Tok::LBrace | Tok::RBrace | Tok::Semi)
                    || (t.kind == Tok::Op && self.text_of(t) == "->")
            }
        }
    }

    fn trailing_closures(&mut self) -> Vec<Closure> {
        let mut out = Vec::new();
        loop {
            let next = if self.kind() == Some(Tok::LBrace) {
                self.pos
            } else if out.is_empty() {
                self.next_non_newline(self.pos)
            } else {
                break;
            };
            if self.kind_at(next) != Some(Tok::LBrace) {
                break;
            }
            self.pos = next;
            out.push(self.closure());
        }
        out
    }

    fn call_with_parens(
        &mut self,
        target: Option<Expr>,
        name: String,
        name_span: Span,
        start: u32,
    ) -> Expr {
        let args_start = self.start();
        let (args, _) = self.paren_args();
        let args_span = Some(args_start..self.prev_end());
        let closures = if self.closure_follows(start) {
            self.trailing_closures()
        } else {
            Vec::new()
        };
        Expr {
            kind: ExprKind::Call(Box::new(Call {
                target,
                name,
                name_span,
                args,
                closures,
                parens: true,
                args_span,
                span: start..self.prev_end(),
            })),
            span: start..self.prev_end(),
        }
    }

    /// A call without parentheses: arguments up to the end of the line, then a closure.
    fn command_call(
        &mut self,
        target: Option<Expr>,
        name: String,
        name_span: Span,
        start: u32,
    ) -> Expr {
        let mut args = Vec::new();
        loop {
            args.push(self.argument());
            if self.kind() == Some(Tok::Comma) {
                self.pos += 1;
                self.skip_newlines();
                continue;
            }
            break;
        }
        let closures = if self.kind() == Some(Tok::LBrace) {
            self.trailing_closures()
        } else {
            Vec::new()
        };
        Expr {
            kind: ExprKind::Call(Box::new(Call {
                target,
                name,
                name_span,
                args,
                closures,
                parens: false,
                args_span: None,
                span: start..self.prev_end(),
            })),
            span: start..self.prev_end(),
        }
    }

    /// `name: value` or a value.
    fn argument(&mut self) -> Arg {
        let start = self.start();
        let named = match self.kind() {
            Some(Tok::Ident | Tok::Str(_) | Tok::Number) => self.is_op(self.pos + 1, ":"),
            _ => false,
        };
        if named {
            let t = &self.toks[self.pos];
            let name = match t.kind {
                Tok::Str(i) => self
                    .lexed
                    .string(i)
                    .and_then(StrLit::literal_value)
                    .unwrap_or_default(),
                _ => self.text_of(t).to_string(),
            };
            let name_span = t.span.clone();
            self.pos += 2;
            self.skip_newlines();
            let value = self.expression();
            return Arg {
                name: Some((name, name_span)),
                span: start..self.prev_end().max(start),
                value,
            };
        }
        if self.kind() == Some(Tok::LParen) && self.is_op(self.next_after_group(self.pos), ":") {
            // `(key): value` in a map.
            self.skip_balanced();
            let key_span = start..self.prev_end();
            self.pos += 1;
            self.skip_newlines();
            let value = self.expression();
            return Arg {
                name: Some((String::new(), key_span)),
                span: start..self.prev_end().max(start),
                value,
            };
        }
        if self.is_op(self.pos, "*") && self.is_op(self.pos + 1, ":") {
            self.pos += 2;
            let value = self.expression();
            return Arg {
                name: Some(("*".to_string(), start..start + 1)),
                span: start..self.prev_end().max(start),
                value,
            };
        }
        let value = self.expression();
        Arg {
            name: None,
            span: start..self.prev_end().max(start),
            value,
        }
    }

    fn next_after_group(&self, i: usize) -> usize {
        let mut depth = 0i32;
        let mut j = i;
        while let Some(k) = self.kind_at(j) {
            match k {
                Tok::LParen | Tok::LBracket | Tok::LBrace => depth += 1,
                Tok::RParen | Tok::RBracket | Tok::RBrace => {
                    depth -= 1;
                    if depth <= 0 {
                        return j + 1;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        j
    }

    /// `( args )` at `(`: the arguments and whether the list was closed.
    fn paren_args(&mut self) -> (Vec<Arg>, bool) {
        let close = self.next_after_group(self.pos);
        self.pos += 1;
        let args = self.args_until(Tok::RParen, close);
        let closed = self.kind() == Some(Tok::RParen);
        if closed {
            self.pos += 1;
        }
        (args, closed)
    }

    /// Comma-separated arguments up to the closer `end` (the index after the group).
    fn args_until(&mut self, closer: Tok, end: usize) -> Vec<Arg> {
        let mut args = Vec::new();
        let limit = end.saturating_sub(1);
        loop {
            self.skip_newlines();
            if self.pos >= limit || self.kind() == Some(closer) || self.kind().is_none() {
                break;
            }
            let before = self.pos;
            args.push(self.argument());
            self.skip_newlines();
            if self.kind() == Some(Tok::Comma) {
                self.pos += 1;
                continue;
            }
            if self.pos >= limit || self.kind() == Some(closer) {
                break;
            }
            // Something the argument parser did not take: skip it.
            if self.pos == before {
                self.skip_balanced();
            }
            while self.pos < limit && !matches!(self.kind(), Some(Tok::Comma) | None) {
                self.skip_balanced();
            }
            if self.kind() == Some(Tok::Comma) {
                self.pos += 1;
            }
        }
        self.pos = self.pos.max(limit.min(self.toks.len()));
        if self.pos > limit {
            self.pos = limit;
        }
        args
    }

    fn list_or_map(&mut self) -> Expr {
        let start = self.start();
        let end = self.next_after_group(self.pos);
        if self.depth >= MAX_DEPTH {
            return self.opaque(start);
        }
        self.depth += 1;
        // `[:]`
        if self.is_op(self.pos + 1, ":") && self.kind_at(self.pos + 2) == Some(Tok::RBracket) {
            self.pos += 3;
            self.depth -= 1;
            return Expr {
                kind: ExprKind::Map(Vec::new()),
                span: start..self.prev_end(),
            };
        }
        self.pos += 1;
        let items = self.args_until(Tok::RBracket, end);
        if self.kind() == Some(Tok::RBracket) {
            self.pos += 1;
        }
        self.depth -= 1;
        let is_map = !items.is_empty() && items.iter().all(|a| a.name.is_some());
        Expr {
            kind: if is_map {
                ExprKind::Map(items)
            } else {
                ExprKind::List(items)
            },
            span: start..self.prev_end().max(start),
        }
    }

    /// `{ params -> statements }` at `{`.
    fn closure(&mut self) -> Closure {
        let start = self.start();
        if self.depth >= MAX_DEPTH {
            self.skip_balanced();
            let end = self.prev_end();
            return Closure {
                params: Vec::new(),
                body: Block {
                    stmts: Vec::new(),
                    span: start..end,
                },
                span: start..end,
            };
        }
        // Parameters: identifiers, types, commas and defaults before `->` on the first line.
        let mut params = Vec::new();
        let mut i = self.pos + 1;
        let mut arrow = None;
        while let Some(k) = self.kind_at(i) {
            match k {
                Tok::Ident | Tok::Comma => {}
                Tok::Op if self.text_at(i) == "->" => {
                    arrow = Some(i);
                    break;
                }
                Tok::Op if matches!(self.text_at(i), "<" | ">" | "." | "=") => {}
                Tok::Newline if i == self.pos + 1 => {}
                _ => break,
            }
            i += 1;
        }
        if let Some(arrow) = arrow {
            let mut j = self.pos + 1;
            while j < arrow {
                if self.kind_at(j) == Some(Tok::Ident)
                    && matches!(self.kind_at(j + 1), Some(Tok::Comma))
                    || j + 1 == arrow && self.kind_at(j) == Some(Tok::Ident)
                {
                    let t = &self.toks[j];
                    params.push((self.text_of(t).to_string(), t.span.clone()));
                }
                j += 1;
            }
        }
        let open = self.pos;
        self.depth += 1;
        self.pos = arrow.map_or(self.pos + 1, |a| a + 1);
        let stmts = self.statements(Some(open));
        if self.kind() == Some(Tok::RBrace) {
            self.pos += 1;
        }
        self.depth -= 1;
        let span = start..self.prev_end().max(start);
        Closure {
            params,
            body: Block {
                stmts,
                span: span.clone(),
            },
            span,
        }
    }

    /// Property accesses, method calls, indexes and trailing closures after an operand.
    fn postfix(&mut self, mut e: Expr) -> Expr {
        let start = e.span.start;
        let saved_depth = self.depth;
        loop {
            if self.depth >= MAX_DEPTH {
                // Too long a chain: the rest of it is opaque.
                while matches!(
                    self.kind(),
                    Some(Tok::Op) | Some(Tok::LParen | Tok::LBracket)
                ) && matches!(self.text_at(self.pos), "." | "?." | "*." | "(" | "[")
                {
                    self.skip_balanced();
                    if self.kind() == Some(Tok::Ident) {
                        self.pos += 1;
                    }
                }
                e = Expr {
                    kind: ExprKind::Other,
                    span: start..self.prev_end().max(start),
                };
                break;
            }
            // A chained call on the next line: `foo()\n  .bar()`.
            let mut at = self.pos;
            if self.kind() == Some(Tok::Newline) {
                let next = self.next_non_newline(self.pos);
                if self.is_op(next, ".") || self.is_op(next, "?.") || self.is_op(next, "*.") {
                    at = next;
                }
            }
            let Some(t) = self.toks.get(at) else { break };
            match t.kind {
                Tok::Op if matches!(self.text_of(t), "." | "?." | "*." | ".&" | ".@") => {
                    let name_tok = self.toks.get(at + 1);
                    let Some(name_tok) =
                        name_tok.filter(|n| matches!(n.kind, Tok::Ident | Tok::Str(_)))
                    else {
                        break;
                    };
                    self.pos = at + 2;
                    self.depth += 1;
                    let name = match name_tok.kind {
                        Tok::Str(i) => self
                            .lexed
                            .string(i)
                            .and_then(StrLit::literal_value)
                            .unwrap_or_default(),
                        _ => self.text_of(name_tok).to_string(),
                    };
                    let name_span = name_tok.span.clone();
                    if self.kind() == Some(Tok::LParen) {
                        e = self.call_with_parens(Some(e), name, name_span, start);
                    } else if self.kind() == Some(Tok::LBrace) {
                        let closures = self.trailing_closures();
                        e = Expr {
                            kind: ExprKind::Call(Box::new(Call {
                                target: Some(e),
                                name,
                                name_span,
                                args: Vec::new(),
                                closures,
                                parens: false,
                                args_span: None,
                                span: start..self.prev_end(),
                            })),
                            span: start..self.prev_end(),
                        };
                    } else if self.starts_command_arg(self.pos)
                        && self.kind() != Some(Tok::Ident)
                        && self.kind() != Some(Tok::LBracket)
                    {
                        e = self.command_call(Some(e), name, name_span, start);
                    } else {
                        e = Expr {
                            kind: ExprKind::Property {
                                target: Box::new(e),
                                name,
                                name_span,
                            },
                            span: start..self.prev_end(),
                        };
                    }
                }
                Tok::LParen if at == self.pos => {
                    // `(closure)(args)` or `x.y(…)` already handled: a call of a value.
                    self.depth += 1;
                    let (args, _) = self.paren_args();
                    e = Expr {
                        kind: ExprKind::Call(Box::new(Call {
                            target: Some(e),
                            name: "call".to_string(),
                            name_span: start..start,
                            args,
                            closures: Vec::new(),
                            parens: true,
                            args_span: None,
                            span: start..self.prev_end(),
                        })),
                        span: start..self.prev_end(),
                    };
                }
                Tok::LBracket if at == self.pos => {
                    self.depth += 1;
                    let end = self.next_after_group(self.pos);
                    self.pos += 1;
                    let index = self.args_until(Tok::RBracket, end);
                    if self.kind() == Some(Tok::RBracket) {
                        self.pos += 1;
                    }
                    e = Expr {
                        kind: ExprKind::Index {
                            target: Box::new(e),
                            index,
                        },
                        span: start..self.prev_end(),
                    };
                }
                Tok::Op if at == self.pos && matches!(self.text_of(t), "++" | "--") => {
                    self.pos += 1;
                    e.span = start..self.prev_end();
                }
                _ => break,
            }
        }
        self.depth = saved_depth;
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(text: &str) -> Vec<(String, Vec<String>)> {
        let file = parse(text);
        let mut out = Vec::new();
        for_each_call(&file.stmts, &mut |c, stack| {
            out.push((
                c.name.clone(),
                stack.iter().map(|s| s.name.clone()).collect(),
            ));
        });
        out
    }

    fn names(text: &str) -> Vec<String> {
        calls(text).into_iter().map(|c| c.0).collect()
    }

    #[test]
    fn declarative_tree() {
        let text = "pipeline {\n  agent any\n  stages {\n    stage('a') {\n      steps {\n        sh 'make'\n        echo \"x\"\n      }\n    }\n  }\n}\n";
        let file = parse(text);
        assert!(file.errors.is_empty());
        assert_eq!(file.stmts.len(), 1);
        let got = calls(text);
        assert_eq!(
            got.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
            ["pipeline", "agent", "stages", "stage", "steps", "sh", "echo"]
        );
        assert_eq!(got[5].1, ["pipeline", "stages", "stage", "steps"]);
        let p = file.stmts[0].call().unwrap();
        let agent = p.block().unwrap().stmts[0].call().unwrap();
        assert_eq!(agent.args[0].value.ident(), Some("any"));
        let stage = &p.block().unwrap().stmts[1]
            .call()
            .unwrap()
            .block()
            .unwrap()
            .stmts[0];
        let stage = stage.call().unwrap();
        assert_eq!(
            stage.args[0].value.literal_string(&file.lexed).as_deref(),
            Some("a")
        );
        assert_eq!(
            &text[stage.head_span().start as usize..stage.head_span().end as usize],
            "stage('a') "
        );
    }

    #[test]
    fn named_arguments_and_closures() {
        let text = "timeout(time: 1, unit: 'HOURS') { sh script: 'x', returnStdout: true }\n";
        let file = parse(text);
        let t = file.stmts[0].call().unwrap();
        assert_eq!(t.name, "timeout");
        assert!(t.parens);
        assert_eq!(
            t.named("unit")
                .unwrap()
                .value
                .literal_string(&file.lexed)
                .as_deref(),
            Some("HOURS")
        );
        let sh = t.block().unwrap().stmts[0].call().unwrap();
        assert!(!sh.parens);
        assert!(sh.named("script").is_some() && sh.named("returnStdout").is_some());
    }

    #[test]
    fn library_annotation_imports_and_defs() {
        let text = "#!groovy\n@Library('lib@1.0') _\nimport groovy.json.JsonSlurper\n\ndef x = 'a'\nString y = \"b\"\n@NonCPS\ndef parse(String s) {\n  return new JsonSlurper().parseText(s)\n}\nnode { sh \"echo ${x}\" }\n";
        let file = parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        assert_eq!(file.annotations.len(), 2);
        assert_eq!(file.annotations[0].name, "Library");
        assert_eq!(file.imports.len(), 1);
        let kinds: Vec<&str> = file
            .stmts
            .iter()
            .map(|s| match &s.kind {
                StmtKind::Assign { declared: true, .. } => "def",
                StmtKind::Method { .. } => "method",
                StmtKind::Expr(_) => "expr",
                StmtKind::Other => "other",
                _ => "?",
            })
            .collect();
        assert_eq!(kinds, ["expr", "other", "def", "def", "method", "expr"]);
        assert_eq!(names(text), ["parseText", "node", "sh"]);
    }

    #[test]
    fn control_flow_and_scripted() {
        let text = "node('x') {\n  try {\n    if (env.BRANCH_NAME == 'main') {\n      sh 'a'\n    } else if (x) { bat 'b' }\n    else\n      pwsh 'c'\n  } catch (Exception e) {\n    echo 'e'\n  } finally { cleanWs() }\n  for (int i = 0; i < 3; i++) { retry(2) { sh 'd' } }\n  switch (x) {\n    case 'a':\n      echo 'a'\n      break\n    default:\n      echo 'z'\n  }\n}\n";
        let file = parse(text);
        assert!(file.errors.is_empty());
        assert_eq!(
            names(text),
            ["node", "sh", "bat", "pwsh", "echo", "cleanWs", "retry", "sh", "echo", "echo"]
        );
    }

    #[test]
    fn maps_lists_parallel_and_chains() {
        let text = "def branches = [:]\nbranches['a'] = { sh 'a' }\nparallel(branches + [b: { echo 'b' }], failFast: true)\ndocker.image('maven:3').inside('-v x') {\n  sh 'mvn'\n}\nwithCredentials([usernamePassword(credentialsId: 'c', usernameVariable: 'U', passwordVariable: 'P')]) {\n  sh 'x'\n}\ndef r = sh(script: 'git rev-parse HEAD', returnStdout: true).trim()\nfoo.bar()\n  .baz { x -> println x }\n";
        let file = parse(text);
        assert!(file.errors.is_empty());
        assert_eq!(
            names(text),
            [
                "sh",
                "parallel",
                "echo",
                "image",
                "inside",
                "sh",
                "withCredentials",
                "usernamePassword",
                "sh",
                "sh",
                "trim",
                "bar",
                "baz",
                "println"
            ]
        );
    }

    #[test]
    fn allman_braces_and_semicolons() {
        let text = "pipeline\n{\n  agent any; stages\n  {\n    stage('a')\n    {\n      steps { sh 'x' }\n    }\n  }\n}\n";
        assert_eq!(
            names(text),
            ["pipeline", "agent", "stages", "stage", "steps", "sh"]
        );
        let mut depths = Vec::new();
        for_each_call(&parse(text).stmts, &mut |_, stack| depths.push(stack.len()));
        assert_eq!(depths, [0, 1, 1, 2, 3, 4]);
        // After an assignment a brace on the next line is a block, not a closure argument.
        let text = "x = y\n{ sh 'a' }\n";
        let file = parse(text);
        assert_eq!(file.stmts.len(), 2);
    }

    #[test]
    fn classes_and_typed_methods() {
        let text = "class Foo implements Serializable {\n  def steps\n  Foo(steps) { this.steps = steps }\n  void run(String a) throws Exception {\n    steps.sh \"x ${a}\"\n  }\n}\nMap<String, List<String>> m = [:]\nreturn this\n";
        let file = parse(text);
        assert!(file.errors.is_empty());
        assert!(matches!(file.stmts[0].kind, StmtKind::Class { .. }));
        assert_eq!(names(text), ["Foo", "sh"]);
    }

    #[test]
    fn bracket_errors_point_at_the_bracket() {
        let file = parse("pipeline {\n  stages {\n    stage('a') {\n  }\n}\n");
        assert_eq!(file.errors.len(), 1);
        assert_eq!(file.errors[0].span, 9..10);
        let file = parse("foo(a))\n");
        assert_eq!(file.errors.len(), 1);
        assert_eq!(file.errors[0].span, 6..7);
        assert!(file.errors[0].message.contains("nothing to close"));
        let file = parse("foo(a]\n");
        assert_eq!(file.errors.len(), 2);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        for text in [
            "{".repeat(100_000),
            "(".repeat(100_000),
            "[".repeat(100_000),
            format!("x = {}1", "!".repeat(100_000)),
            format!("a{}", ".b()".repeat(100_000)),
            format!("a{}", "[0]".repeat(50_000)),
            format!("x = {}", "1 + ".repeat(100_000)),
            format!("{}{}", "a { ".repeat(50_000), "}".repeat(50_000)),
            format!("{}{}", "f(".repeat(50_000), ")".repeat(50_000)),
            format!("x = {}", "a ? b : ".repeat(50_000)),
            format!("if (a) {{ }}{}", " else if (b) { }".repeat(50_000)),
            format!("{}x", "if (a) ".repeat(50_000)),
            format!("{}x", "for (a in b) ".repeat(50_000)),
            format!("f({})", "@".repeat(100_000)),
            "@".repeat(100_000),
            "try { ".repeat(30_000),
        ] {
            let file = parse(&text);
            let mut n = 0;
            for_each_call(&file.stmts, &mut |_, _| n += 1);
            let _ = statement_heads(&file);
        }
    }

    #[test]
    fn tolerates_odd_groovy() {
        for text in [
            "def (a, b) = [1, 2]\n",
            "x = a?.b?.c ?: 'd'\n",
            "list.each { k, v -> echo \"$k\" }\n",
            "def f = this.&foo\n",
            "x = (String) y\n",
            "assert x == 1 : 'msg'\n",
            "label: for (x in y) { continue label }\n",
            "@Grab('org:x:1')\nimport x.Y\n",
            "def s = \"\"\"${\n  x.collect { \"${it}\" }.join()\n}\"\"\"\n",
            "if (x) sh 'a' else sh 'b'\n",
            "sh(\"\"\"\n  echo $X\n\"\"\")\n",
            "properties([parameters([string(name: 'A', defaultValue: 'b')])])\n",
            "stage 'old style'\n",
            "a = b\n  .c()\n",
            "@",
            "def",
            "new",
            "x.",
            "f(a:",
            "[a:",
            "{ ->",
            "try",
            "if (",
        ] {
            let _ = parse(text);
        }
    }
}
