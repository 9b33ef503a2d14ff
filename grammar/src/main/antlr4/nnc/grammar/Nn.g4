/*
 * The .nn language: a model is a sequence of declarations and bindings; expressions build a
 * tensor DAG. Statements need no terminator: no statement can continue an expression, so a new
 * line that starts with a keyword or `name =` begins the next statement. See docs/language.md.
 */
grammar Nn;

program : item* EOF ;

item
    : 'import' STRING                                           # importItem
    | 'model' ID                                                # modelItem
    | 'fn' fnName=ID '(' (params+=name (',' params+=name)*)? ')' block   # fnItem
    | 'data' split=splitName '{' dataField* '}'                 # dataItem
    | 'data' split=splitName '=' callee=name '(' of=splitName ',' expr ')'  # dataSplitItem
    | statement                                                 # statementItem
    ;

block : '{' statement* '}' ;

statement
    : 'input' declName ':' typeSpec                             # inputStmt
    | 'param' declName ':' typeSpec ('=' expr)?                 # paramStmt
    | 'state' declName ':' typeSpec ('=' expr)?                 # stateStmt
    | 'const' declName (':' typeSpec)? '=' expr                 # constStmt
    | 'output' declName ('=' expr)?                             # outputStmt
    | 'let'? name (',' name)* '=' expr                          # assignStmt
    | 'train' 'minimize' expr 'with' expr trainClause*          # trainStmt
    | 'metric' name '=' expr                                    # metricStmt
    | 'for' name 'in' expr '..' expr block                      # forStmt
    | 'return' expr                                             # returnStmt
    ;

/** A declared name; `act_mean[l]` inside a loop declares `act_mean.0`, `act_mean.1`, ... */
declName : name ('[' name ']')? ;

trainClause : clauseKey=name expr ;

/** One input's source in a data split: `x = idx("train-images.gz", scale = 1/255)`. */
dataField : name '=' expr ;

/** `train` is a keyword, yet it names the training split. */
splitName : name | 'train' ;

typeSpec : DTYPE ('[' (dimExpr (',' dimExpr)*)? ']')? ;

dimExpr : expr ;

expr
    : expr '[' sliceItem (',' sliceItem)* ']'                   # indexExpr
    | <assoc=right> expr op=('^' | '**') expr                   # powExpr
    | '-' expr                                                  # negExpr
    | expr op=('*' | '/' | '@') expr                            # mulExpr
    | expr op=('+' | '-') expr                                  # addExpr
    | expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') expr      # compareExpr
    | callee=name '(' (arg (',' arg)*)? ')'                     # callExpr
    | name                                                      # nameExpr
    | DTYPE '(' expr ')'                                        # castExpr
    | NUMBER                                                    # numberExpr
    | ('true' | 'false')                                        # boolExpr
    | STRING                                                    # stringExpr
    | '[' (expr (',' expr)*)? ']'                               # listExpr
    | '(' expr ')'                                              # parenExpr
    ;

arg : (name '=')? expr ;

sliceItem
    : lo=expr? ':' hi=expr?                                     # rangeSlice
    | expr                                                      # pointSlice
    ;

/** Words that are keywords only where the grammar expects them stay usable as names. */
name : ID | 'batch' | 'epochs' | 'schedule' | 'minimize' | 'with' | 'model' | 'in' | 'data' | 'metric' | 'state' ;

DTYPE  : 'f32' | 'f64' | 'i32' | 'bool' ;
NUMBER : DIGIT+ ('.' DIGIT+)? EXP? | '.' DIGIT+ EXP? ;
fragment DIGIT : [0-9] ;
fragment EXP   : [eE] [+-]? DIGIT+ ;
ID     : [a-zA-Z_] [a-zA-Z_0-9]* ;
STRING : '"' (~["\\\r\n] | '\\' .)* '"' ;

LINE_COMMENT  : ('//' | '#') ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n]+ -> skip ;
ERR_CHAR      : . ;
